import { z } from "zod";
import { AppError, describeZodError } from "./errors.ts";
import {
  ChatMessage,
  ChatPlatform,
  OAuthFlowResult,
  ObsStreamStatus,
} from "./integration_types.ts";
import { IngestMedia } from "./ingest_media.ts";
import { ThemeSummary } from "./settings_types.ts";
import { GroupStandby } from "./standby_types.ts";
import { FfmpegDownloadProgress, StreamStats, TargetState } from "./stream_types.ts";
import { RecordingStatus } from "./recording_types.ts";

/* Every server → client event (SpiritStream §2.1) and ours, name → payload schema. */

/** Payload of `log://log`. */
export const LogRecord = z.object({
  /** 1 = error, 2 = warn, 3 = info, 4 = debug, 5 = trace. */
  level: z.number().int().min(1).max(5),
  message: z.string(),
  target: z.string(),
});
export type LogRecord = z.infer<typeof LogRecord>;

/** Payload of `obs://status`, tagged by `status`. */
export const ObsStatusEvent = z.discriminatedUnion("status", [
  z.object({ status: z.literal("connecting"), host: z.string(), port: z.number().int() }),
  z.object({
    status: z.literal("connected"),
    obsVersion: z.string().nullable(),
    websocketVersion: z.string().nullable(),
    streamStatus: ObsStreamStatus,
  }),
  z.object({ status: z.literal("error"), error: z.string() }),
  z.object({ status: z.literal("disconnected") }),
]);
export type ObsStatusEvent = z.infer<typeof ObsStatusEvent>;

/** Payload of `target_status` (ours): one target's state changed. */
export const TargetStatus = z.object({
  groupId: z.string(),
  targetId: z.string(),
  state: TargetState,
  attempt: z.number().int().min(0),
  nextRetryMs: z.number().nullable(),
  /** One sentence for the streamer: what went wrong with this target and what to do. */
  error: z.string().nullable(),
  /** The raw cause behind `error` (FFmpeg or socket text, keys masked), for "details". */
  cause: z.string().nullable().default(null),
});
export type TargetStatus = z.infer<typeof TargetStatus>;

/** Payload of `target_stats` (ours): per-target counters. */
export const TargetStats = z.object({
  groupId: z.string(),
  targetId: z.string(),
  /** kbit/s. */
  bitrate: z.number(),
  bytes: z.number(),
  fps: z.number(),
  uptimeSecs: z.number(),
  reconnects: z.number().int().min(0),
  /** Media dropped for this target because it was too slow (ours; 0 from older emitters). */
  droppedFrames: z.number().int().min(0).default(0),
});
export type TargetStats = z.infer<typeof TargetStats>;

/** Payload of `ingest_stats` (ours): what arrives from the publisher, about once a second. */
export const IngestStats = z.object({
  /** kbit/s over the last two seconds. */
  bitrate: z.number(),
  /** Media bytes received since the ingest opened. */
  bytes: z.number(),
  /** What the publisher sends; null while nobody publishes (0 and null from older emitters). */
  media: IngestMedia.nullable().default(null),
});
export type IngestStats = z.infer<typeof IngestStats>;

/** Payload of `ingest_status` (ours): whether OBS is publishing; `idle` once it is closed. */
export const IngestStatus = z.object({
  state: z.enum(["idle", "waiting", "live"]),
  /** Without any key. */
  url: z.string(),
  remoteAddr: z.string().nullable(),
  since: z.number().nullable(),
});
export type IngestStatus = z.infer<typeof IngestStatus>;

const platformOnly = z.object({ platform: ChatPlatform });

/** Event name → payload schema. */
export const EVENTS = {
  stream_stats: StreamStats,
  /** A bare string: the group id. */
  stream_ended: z.string(),
  stream_error: z.object({
    groupId: z.string(),
    error: z.string(),
    canRetry: z.boolean(),
    suggestion: z.string(),
    /** The raw cause behind `error` (ours; absent from older emitters). */
    cause: z.string().nullable().optional(),
  }),
  stream_reconnecting: z.object({
    groupId: z.string(),
    attempt: z.number().int(),
    maxAttempts: z.number().int(),
    delaySecs: z.number(),
  }),
  "log://log": LogRecord,
  themes_updated: z.array(ThemeSummary),
  ffmpeg_download_progress: FfmpegDownloadProgress,
  profile_changed: z.object({ action: z.enum(["saved", "deleted"]), name: z.string() }),
  settings_changed: z.object({}),
  "obs://status": ObsStatusEvent,
  "obs://stream_state": z.object({ status: z.enum(["active", "inactive"]), active: z.boolean() }),
  chat_message: ChatMessage,
  chat_auto_connected: platformOnly,
  chat_auto_disconnected: z.object({}),
  chat_connection_lost: z.object({ platform: ChatPlatform, error: z.string() }),
  chat_connection_restored: platformOnly,
  oauth_complete: OAuthFlowResult,
  target_status: TargetStatus,
  target_stats: TargetStats,
  ingest_status: IngestStatus,
  ingest_stats: IngestStats,
  recording_status: RecordingStatus,
  group_standby: GroupStandby,
  /**
   * Sent by the gateway alone, to a `/ws` client that resumed with an id from before the event
   * stream restarted: forget every id seen so far; ids count anew from this frame's id.
   */
  stream_reset: z.object({}),
};

/** Every event name. */
export type EventName = keyof typeof EVENTS;
/** The payload of one event. */
export type EventPayload<N extends EventName> = z.infer<(typeof EVENTS)[N]>;

/** Every event name, in catalogue order. */
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** Whether a string is a known event name. */
export function isEventName(name: string): name is EventName {
  return Object.hasOwn(EVENTS, name);
}

/** Validates an event payload; throws `invalid_argument` naming the event and field. */
export function parseEvent<N extends EventName>(name: N, payload: unknown): EventPayload<N> {
  if (!isEventName(name)) {
    throw new AppError("invalid_argument", `Unknown event "${String(name)}"`);
  }
  const result = EVENTS[name].safeParse(payload);
  if (!result.success) {
    throw new AppError("invalid_argument", describeZodError(result.error, name));
  }
  return result.data as EventPayload<N>;
}
