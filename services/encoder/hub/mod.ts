/**
 * The media hub of the encoder service: one source (the ingest), many sinks (the targets and
 * FFmpeg encodes), with the meter and analyzer sinks.
 * @module
 */
export {
  createMediaHub,
  type MediaHub,
  type MediaHubOptions,
  type MediaHubSinkStats,
  type MediaHubStats,
  type MediaSink,
  type MediaSource,
} from "./hub.ts";
export type { MediaLogger } from "./media_logger.ts";
