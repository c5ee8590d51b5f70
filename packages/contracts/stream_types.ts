import { z } from "zod";
import { IngestMedia } from "./ingest_media.ts";

/* Streaming, encoder and FFmpeg results (SpiritStream §2.1, §4.8, §5; ours where noted). */

const count = z.number().int().min(0);
/** Epoch milliseconds, or null when not applicable. */
const epochMsOrNull = z.number().nullable();

/** Per-group statistics, cumulative for the current FFmpeg process (`stream_stats`). */
export const StreamStats = z.object({
  groupId: z.string(),
  frame: z.number(),
  fps: z.number(),
  /** kbit/s. */
  bitrate: z.number(),
  /** × realtime. */
  speed: z.number(),
  /** Bytes. */
  size: z.number(),
  /** Seconds. */
  time: z.number(),
  droppedFrames: z.number(),
  dupFrames: z.number(),
});
export type StreamStats = z.infer<typeof StreamStats>;

/** Result of `retry_stream`. */
export const RetryResult = z.object({
  pid: z.number().int(),
  nextDelaySecs: z.number().nullable(),
});
export type RetryResult = z.infer<typeof RetryResult>;

/** State of one output group (ours). */
export const GroupState = z.enum(["idle", "starting", "live", "stopping", "error"]);
export type GroupState = z.infer<typeof GroupState>;

/** State of one target inside a group (ours). */
export const TargetState = z.enum([
  "connecting",
  "live",
  "reconnecting",
  "failed",
  "stopped",
  "disabled",
]);
export type TargetState = z.infer<typeof TargetState>;

/** State of the ingest listener OBS pushes to (ours); `idle` = not listening. */
export const IngestState = z.enum(["idle", "waiting", "live"]);
export type IngestState = z.infer<typeof IngestState>;

/** One target in the `get_stream_state` snapshot. */
export const TargetSnapshot = z.object({
  targetId: z.string(),
  name: z.string(),
  state: TargetState,
  attempt: count,
  nextRetryAt: epochMsOrNull,
  /** One sentence for the streamer (see `target_status.error`). */
  lastError: z.string().nullable(),
  /** The raw cause behind `lastError`. */
  lastCause: z.string().nullable().default(null),
});
export type TargetSnapshot = z.infer<typeof TargetSnapshot>;

/** One group in the `get_stream_state` snapshot. */
export const GroupSnapshot = z.object({
  groupId: z.string(),
  state: GroupState,
  startedAt: epochMsOrNull,
  targets: z.array(TargetSnapshot),
  /** Epoch ms since the targets get the standby slate (ours; absent or null: not in standby). */
  standbySince: epochMsOrNull.optional(),
});
export type GroupSnapshot = z.infer<typeof GroupSnapshot>;

/** Result of `get_stream_state` (ours): everything a fresh client needs to draw the
 * live view; later changes arrive as `target_status` / `ingest_status` events. */
export const StreamState = z.object({
  groups: z.array(GroupSnapshot),
  ingest: z.object({
    state: IngestState,
    /** Without any key. */
    url: z.string().nullable(),
    /** Remote address of the publisher. */
    publisher: z.string().nullable(),
    since: epochMsOrNull,
    /** Codec, resolution, frame rate and keyframe interval of what arrives (ours; absent
     * when not listening). */
    media: IngestMedia.nullable().optional(),
    /** kbit/s arriving now (ours; absent when not listening). */
    bitrate: z.number().min(0).optional(),
  }),
});
export type StreamState = z.infer<typeof StreamState>;

/** Result of `get_encoders`: FFmpeg encoder names. */
export const Encoders = z.object({ video: z.array(z.string()), audio: z.array(z.string()) });
export type Encoders = z.infer<typeof Encoders>;

/** One row of `get_encoder_report` (ours): why an encoder is or is not offered. */
export const EncoderReportEntry = z.object({
  /** FFmpeg encoder name, e.g. `h264_nvenc`. */
  name: z.string(),
  /** Implementation family, e.g. `nvenc`, `qsv`, `vaapi`, `amf`, `videotoolbox`, `x264`. */
  family: z.string(),
  kind: z.enum(["hardware", "software"]),
  available: z.boolean(),
  reason: z.string(),
});
export type EncoderReportEntry = z.infer<typeof EncoderReportEntry>;

/** Result of `test_rtmp_target` (snake_case `latency_ms` on the wire). */
export const RtmpTestResult = z.object({
  success: z.boolean(),
  message: z.string(),
  latency_ms: z.number().nullable(),
});
export type RtmpTestResult = z.infer<typeof RtmpTestResult>;

/** Result of `check_ffmpeg_update` (snake_case on the wire). */
export const FFmpegVersionInfo = z.object({
  installed_version: z.string().nullable(),
  latest_version: z.string().nullable(),
  update_available: z.boolean(),
  status: z.string(),
});
export type FFmpegVersionInfo = z.infer<typeof FFmpegVersionInfo>;

/** Payload of `ffmpeg_download_progress`. */
export const FfmpegDownloadProgress = z.object({
  downloaded: z.number(),
  total: z.number(),
  percent: z.number(),
  /** `starting`, `downloading`, `extracting`, `verifying`, `complete`, `error`, ... */
  phase: z.string(),
  message: z.string().nullable(),
});
export type FfmpegDownloadProgress = z.infer<typeof FfmpegDownloadProgress>;
