import assert from "node:assert/strict";
import { createStreamView } from "./stream_view.ts";

function status(
  groupId: string,
  targetId: string,
  state: string,
  extra: Record<string, unknown> = {},
) {
  return { groupId, targetId, state, attempt: 0, nextRetryMs: null, error: null, ...extra };
}

Deno.test("createStreamView() folds status events into a StreamState-like view", () => {
  const view = createStreamView();
  assert.deepEqual(view.snapshot(), {
    streams: { groups: [], ingest: { state: "idle", url: null, publisher: null, since: null } },
    stats: {},
    targetStats: {},
  });
  assert.equal(view.apply("target_status", status("g1", "t1", "connecting"), 1_000), true);
  assert.equal(view.snapshot().streams.groups[0]!.state, "starting");
  view.apply("target_status", status("g1", "t1", "live"), 2_000);
  view.apply(
    "target_status",
    status("g1", "t2", "reconnecting", { attempt: 3, nextRetryMs: 500, error: "Refused" }),
    3_000,
  );
  const [group] = view.snapshot().streams.groups;
  assert.deepEqual(group, {
    groupId: "g1",
    state: "live",
    startedAt: 1_000,
    targets: [
      {
        targetId: "t1",
        state: "live",
        attempt: 0,
        nextRetryAt: null,
        lastError: null,
        lastCause: null,
      },
      {
        targetId: "t2",
        state: "reconnecting",
        attempt: 3,
        nextRetryAt: 3_500,
        lastError: "Refused",
        lastCause: null,
      },
    ],
    standbySince: null,
  });
});

Deno.test("createStreamView() tracks errors, stats and ended groups, and ignores malformed payloads", () => {
  const view = createStreamView();
  view.apply("target_status", status("g1", "t1", "failed"), 1);
  assert.equal(view.snapshot().streams.groups[0]!.state, "error");
  view.apply("stream_reconnecting", { groupId: "g1", attempt: 1, maxAttempts: 5, delaySecs: 2 }, 2);
  assert.equal(view.snapshot().streams.groups[0]!.state, "starting");
  view.apply("stream_error", {
    groupId: "g1",
    error: "FFmpeg exited with code 1",
    canRetry: true,
    suggestion: "",
  }, 3);
  assert.equal(view.snapshot().streams.groups[0]!.state, "error");
  const stats = {
    groupId: "g1",
    frame: 1,
    fps: 30,
    bitrate: 1,
    speed: 1,
    size: 1,
    time: 1,
    droppedFrames: 0,
    dupFrames: 0,
  };
  view.apply("stream_stats", stats, 4);
  view.apply("target_stats", {
    groupId: "g1",
    targetId: "t1",
    bitrate: 1,
    bytes: 2,
    fps: 30,
    uptimeSecs: 1,
    reconnects: 0,
  }, 5);
  assert.deepEqual(view.snapshot().stats, { g1: stats });
  assert.deepEqual(Object.keys(view.snapshot().targetStats.g1!), ["t1"]);
  const before = view.version();
  assert.equal(view.apply("target_status", { groupId: "g1" }, 6), false);
  assert.equal(view.apply("log://log", { level: 3, message: "", target: "" }, 6), false);
  assert.equal(view.version(), before);
  view.apply("ingest_status", {
    state: "waiting",
    url: "rtmp://0.0.0.0:1935/live",
    remoteAddr: null,
    since: null,
  }, 7);
  assert.equal(view.snapshot().streams.ingest.state, "waiting");
  assert.equal(view.apply("stream_ended", "g1", 8), true);
  assert.deepEqual(view.snapshot().streams.groups, []);
  assert.deepEqual(view.snapshot().stats, {});
  assert.equal(view.apply("stream_ended", "g1", 9), false);
});

Deno.test("createStreamView() keeps the ingest's media from ingest_stats until the publisher leaves", () => {
  const view = createStreamView();
  const live = { state: "live", url: "rtmp://127.0.0.1:1935/live", remoteAddr: "x:1", since: 1 };
  view.apply("ingest_status", live, 1);
  const media = {
    video: {
      codec: "H.264",
      profile: "High",
      level: "3.1",
      width: 1280,
      height: 720,
      fps: 30,
      keyframeIntervalSecs: 2,
    },
    audio: null,
  };
  assert.equal(view.apply("ingest_stats", { bitrate: 2500, bytes: 9, media }, 2), true);
  assert.deepEqual(view.snapshot().streams.ingest.media, media);
  assert.equal(view.snapshot().streams.ingest.bitrate, 2500);
  view.apply("ingest_status", { ...live, state: "waiting", remoteAddr: null, since: null }, 3);
  assert.equal(view.snapshot().streams.ingest.media, undefined);
});

Deno.test("createStreamView() shows standby per group from group_standby", () => {
  const view = createStreamView();
  view.apply("target_status", status("g1", "t1", "live"), 1_000);
  const on = { groupId: "g1", standby: true, reason: "publisher_lost", since: 5_000 };
  assert.equal(view.apply("group_standby", on, 5_000), true);
  assert.equal(view.snapshot().streams.groups[0]!.standbySince, 5_000);
  const off = { groupId: "g1", standby: false, reason: "publisher_returned", since: null };
  view.apply("group_standby", off, 9_000);
  assert.equal(view.snapshot().streams.groups[0]!.standbySince, null);
  assert.equal(view.apply("group_standby", { groupId: "g1" }, 9_500), false);
});
