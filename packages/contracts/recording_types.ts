import { z } from "zod";

/* Recordings (ours): fragmented MP4 files of a group's media in the data dir's `recordings`. */

/**
 * A recording's id: `rec_<yyyymmdd>_<hhmmss>_<8 hex>_p<part>`. Made by the encoder, never from a
 * name or key, and the only thing that names a file: anything else (`../x`, `a/b`) is refused.
 */
export const RecordingId = z.string().regex(/^rec_\d{8}_\d{6}_[0-9a-f]{8}_p\d{2,4}$/, {
  message: "recording id must look like rec_20261202_023000_0a1b2c3d_p01",
});
export type RecordingId = z.infer<typeof RecordingId>;

/** Per output group: record what its targets receive (passthrough: the ingest). */
export const RecordingSettings = z.object({
  enabled: z.boolean().default(false),
  /** A new part starts at the first keyframe after this many minutes (0: never). */
  splitMinutes: z.number().int().min(0).max(24 * 60).default(60),
  /** … or after this many MiB (0: never). */
  splitMegabytes: z.number().int().min(0).max(1024 * 1024).default(0),
  /** A password-protected profile's groups are recorded only when this is on too. */
  allowEncrypted: z.boolean().default(false),
});
export type RecordingSettings = z.infer<typeof RecordingSettings>;

/** A publisher gap inside one part: at `atSeconds` of the file, `missingMs` of wall time. */
export const RecordingGap = z.object({
  atSeconds: z.number().min(0),
  missingMs: z.number().int().min(0),
});
export type RecordingGap = z.infer<typeof RecordingGap>;

/** Why a recording stopped before its stream did. */
export const RecordingStopReason = z.enum(["disk_low", "ffmpeg_failed"]);
export type RecordingStopReason = z.infer<typeof RecordingStopReason>;

/** One recorded file (one part of a group's recording). */
export const RecordingInfo = z.object({
  id: RecordingId,
  groupId: z.string(),
  groupName: z.string(),
  part: z.number().int().min(1),
  /** Unix ms. */
  startedAt: z.number(),
  /** Unix ms; null while it is still being written. */
  endedAt: z.number().nullable(),
  bytes: z.number().int().min(0),
  gaps: z.array(RecordingGap),
  stopReason: RecordingStopReason.nullable(),
});
export type RecordingInfo = z.infer<typeof RecordingInfo>;

/** The `recording_status` event: a group's recording started a part or stopped. */
export const RecordingStatus = z.object({
  groupId: z.string(),
  state: z.enum(["recording", "stopped"]),
  recordingId: RecordingId.nullable(),
  /** Set when it stopped while the stream went on (e.g. free space below the limit). */
  reason: RecordingStopReason.nullable(),
  message: z.string().nullable(),
});
export type RecordingStatus = z.infer<typeof RecordingStatus>;

/** One slice of a recording's bytes, as `read_recording` answers (base64, at most 512 KiB). */
export const RecordingChunk = z.object({
  size: z.number().int().min(0),
  offset: z.number().int().min(0),
  data: z.string(),
});
export type RecordingChunk = z.infer<typeof RecordingChunk>;

/** Most bytes one `read_recording` returns (fits a NATS message as base64). */
export const RECORDING_CHUNK_MAX = 512 * 1024;
