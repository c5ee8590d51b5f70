/**
 * The streaming engine of the encoder service: the ingest OBS publishes to, output groups
 * (passthrough pushes or ONE FFmpeg encode per group), per-target supervision with back-off,
 * and the stream events.
 * @module
 */
export { createEngine, type Engine, type EngineOptions } from "./engine.ts";
export type { IngestSpec } from "./parse_ingest.ts";
export { backoffDelay, type BackoffOptions, DEFAULT_BACKOFF } from "./backoff.ts";
export { PROCESS_MARKER_ENV } from "../ffmpeg/ffmpeg_process.ts";
export { type ResolvedTarget, resolveTarget } from "./resolve_target.ts";
