import assert from "node:assert/strict";
import { AppError } from "./errors.ts";
import { EVENT_NAMES, type EventName, EVENTS, isEventName, parseEvent } from "./events.ts";

const SAMPLES: Record<EventName, unknown> = {
  stream_stats: {
    groupId: "default",
    frame: 300,
    fps: 30,
    bitrate: 6012.5,
    speed: 1,
    size: 7_500_000,
    time: 10,
    droppedFrames: 0,
    dupFrames: 1,
  },
  stream_ended: "default",
  stream_error: {
    groupId: "default",
    error: "FFmpeg exited with code 1: Connection refused",
    canRetry: true,
    suggestion: "Stream connection lost. Click retry to reconnect automatically.",
  },
  stream_reconnecting: { groupId: "default", attempt: 1, maxAttempts: 5, delaySecs: 5 },
  "log://log": { level: 3, message: "Loaded profile", target: "spiritstream::profiles" },
  themes_updated: [{ id: "nord-dark", name: "Nord Dark", mode: "dark", source: "builtin" }],
  ffmpeg_download_progress: {
    downloaded: 10,
    total: 100,
    percent: 10,
    phase: "downloading",
    message: null,
  },
  profile_changed: { action: "saved", name: "Friday Night Stream" },
  settings_changed: {},
  "obs://status": { status: "connecting", host: "localhost", port: 4455 },
  "obs://stream_state": { status: "active", active: true },
  chat_message: {
    id: "m1",
    platform: "twitch",
    username: "viewer",
    message: "hi",
    timestamp: 1_767_225_600_000,
    direction: "inbound",
  },
  chat_auto_connected: { platform: "twitch" },
  chat_auto_disconnected: {},
  chat_connection_lost: { platform: "youtube", error: "timeout" },
  chat_connection_restored: { platform: "youtube" },
  oauth_complete: { provider: "twitch", userId: "1", username: "me", displayName: "Me" },
  target_status: {
    groupId: "default",
    targetId: "t1",
    state: "reconnecting",
    attempt: 2,
    nextRetryMs: 4000,
    error: '"YouTube": nothing accepts connections at that address (connection refused).',
    cause: "Connection refused (os error 111)",
  },
  target_stats: {
    groupId: "default",
    targetId: "t1",
    bitrate: 6000,
    bytes: 1_000_000,
    fps: 60,
    uptimeSecs: 12.5,
    reconnects: 0,
    droppedFrames: 0,
  },
  ingest_status: {
    state: "live",
    url: "rtmp://127.0.0.1:1935/live",
    remoteAddr: "127.0.0.1:5555",
    since: 1,
  },
  ingest_stats: {
    bitrate: 2500,
    bytes: 1_000_000,
    media: {
      video: {
        codec: "H.264",
        profile: "High",
        level: "3.1",
        width: 1280,
        height: 720,
        fps: 30,
        keyframeIntervalSecs: 2,
      },
      audio: { codec: "AAC", profile: "AAC-LC", sampleRate: 48000, channels: 2 },
    },
  },
  recording_status: {
    groupId: "default",
    state: "stopped",
    recordingId: null,
    reason: "disk_low",
    message: "Recording stopped: less than 1024 MiB free; streaming goes on",
  },
  group_standby: { groupId: "g1", standby: true, reason: "publisher_lost", since: 1 },
  stream_reset: {},
};

Deno.test("EVENTS covers every SpiritStream event of §2.1 plus ours", () => {
  const spiritstream = [
    "stream_stats",
    "stream_ended",
    "stream_error",
    "stream_reconnecting",
    "log://log",
    "themes_updated",
    "ffmpeg_download_progress",
    "profile_changed",
    "settings_changed",
    "obs://status",
    "obs://stream_state",
    "chat_message",
    "chat_auto_connected",
    "chat_auto_disconnected",
    "chat_connection_lost",
    "chat_connection_restored",
    "oauth_complete",
  ];
  for (const name of spiritstream) assert.ok(isEventName(name), name);
  const ours = [
    "target_status",
    "target_stats",
    "ingest_status",
    "ingest_stats",
    "group_standby",
    "stream_reset",
  ];
  ours.push("recording_status");
  for (const name of ours) assert.ok(isEventName(name), name);
  assert.equal(EVENT_NAMES.length, spiritstream.length + ours.length);
});

Deno.test("parseEvent() accepts a realistic payload of every event", () => {
  for (const name of EVENT_NAMES) {
    assert.deepEqual(parseEvent(name, SAMPLES[name]), SAMPLES[name], name);
  }
});

Deno.test("parseEvent() wants a bare string group id for stream_ended", () => {
  assert.equal(parseEvent("stream_ended", "group-1"), "group-1");
  assert.equal(EVENTS.stream_ended.safeParse({ groupId: "group-1" }).success, false);
  assert.throws(() => parseEvent("stream_ended", { groupId: "group-1" }), AppError);
});

Deno.test("parseEvent() fills target_status.cause with null for older emitters", () => {
  const { cause: _, ...older } = SAMPLES.target_status as Record<string, unknown>;
  assert.equal(parseEvent("target_status", older).cause, null);
});

Deno.test("parseEvent() names the event and field of a bad payload", () => {
  assert.throws(
    () => parseEvent("log://log", { level: 6, message: "x", target: "t" }),
    (error: unknown) =>
      error instanceof AppError && error.code === "invalid_argument" &&
      error.message.includes('"log://log.level"'),
  );
  assert.throws(
    () => parseEvent("target_status", { ...SAMPLES.target_status as object, state: "exploded" }),
    /target_status\.state/,
  );
});

Deno.test("parseEvent() rejects an unknown event name", () => {
  assert.throws(
    () => parseEvent("stream_target_status" as EventName, {}),
    /Unknown event "stream_target_status"/,
  );
});
