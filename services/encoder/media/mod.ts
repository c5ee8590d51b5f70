/**
 * The media core of the encoder service: our own RTMP ingest server, RTMP(S) push clients,
 * an in-memory FLV-level hub between them, and FLV byte streams for FFmpeg pipes.
 * @module
 */
export { Amf0EcmaArray, type Amf0Object, type Amf0Value, decodeAmf0, encodeAmf0 } from "./amf0.ts";
export { ChunkReader } from "./chunk_reader.ts";
export { ChunkWriter } from "./chunk_writer.ts";
export { type FlvTag, isKeyframe, isSequenceHeader } from "./flv.ts";
export { FlvReader } from "./flv_reader.ts";
export {
  describeAudio,
  describeVideoHeader,
  videoCodecOf,
  type VideoHeader,
} from "./sequence_headers.ts";
export { FlvWriter, type FlvWriterOptions } from "./flv_writer.ts";
export { handshake, type HandshakeOptions } from "./handshake.ts";
export {
  createMediaHub,
  type MediaHub,
  type MediaHubOptions,
  type MediaHubSinkStats,
  type MediaHubStats,
  type MediaSink,
  type MediaSource,
} from "./hub.ts";
export { KeyframeGate, type KeyframeGateOptions } from "./keyframe_gate.ts";
export type { MediaLogger } from "./media_logger.ts";
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
