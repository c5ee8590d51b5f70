/**
 * The RTMP protocol of the encoder service: our own RTMP ingest server and RTMP(S) push clients.
 * @module
 */
export { ChunkReader } from "./chunk_reader.ts";
export { ChunkWriter } from "./chunk_writer.ts";
export { handshake, type HandshakeOptions } from "./handshake.ts";
export { MessageType, type RtmpMessage, UserControlEvent } from "./messages.ts";
export { parseRtmpUrl, type RtmpUrl } from "./parse_rtmp_url.ts";
export type { PublishSession } from "./publish_session.ts";
export {
  connectPublisher,
  type PublisherClosed,
  type PublisherOptions,
  type RtmpPublisher,
} from "./rtmp_publisher.ts";
export { type RtmpServer, type RtmpServerOptions, startRtmpServer } from "./rtmp_server.ts";
