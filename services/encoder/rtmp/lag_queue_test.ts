import assert from "node:assert/strict";
import type { FlvTag } from "../flv/flv.ts";
import { LagQueue } from "./lag_queue.ts";

/** AVC video (keyframe / inter, NALU) and AAC audio tags: enough for isKeyframe/isSequenceHeader. */
function video(ts: number, key: boolean, header = false): FlvTag {
  return {
    type: "video",
    timestamp: ts,
    payload: Uint8Array.of(key ? 0x17 : 0x27, header ? 0 : 1, 0, 0, 0, 0),
  };
}
function audio(ts: number, header = false): FlvTag {
  return { type: "audio", timestamp: ts, payload: Uint8Array.of(0xaf, header ? 0 : 1, 0, 0) };
}

/** A live stream: headers, then 30 fps video (keyframe every 2 s) and audio every ~21 ms. */
function stream(ms: number): FlvTag[] {
  const tags: FlvTag[] = [
    { type: "data", timestamp: 0, payload: Uint8Array.of(2) },
    video(0, true, true),
    audio(0, true),
  ];
  let a = 0;
  for (let frame = 0; frame * 1000 / 30 < ms; frame++) {
    const ts = Math.round(frame * 1000 / 30);
    while (a <= ts) {
      tags.push(audio(a));
      a += 21;
    }
    tags.push(video(ts, frame % 60 === 0));
  }
  return tags;
}

function isMedia(tag: FlvTag): boolean {
  return tag.type !== "data" && tag.payload[1] === 1;
}

Deno.test("LagQueue keeps a destination that takes nothing within the bound: video from a keyframe, audio continuous, headers kept", () => {
  const queue = new LagQueue({ maxLagMs: 2000, maxBytes: 64 * 1024 * 1024 });
  for (const tag of stream(7000)) queue.push(tag);
  // Checked every 100 ms of media: the bound holds to within that.
  assert.ok(queue.lagMs <= 2100, `lag ${queue.lagMs} ms`);
  assert.ok(queue.dropped > 0);
  const out: FlvTag[] = [];
  for (let tag = queue.shift(); tag; tag = queue.shift()) out.push(tag);
  // The metadata and both sequence headers survive, first.
  assert.deepEqual(out.slice(0, 3).map((t) => [t.type, t.payload[1]]), [["data", undefined], [
    "video",
    0,
  ], ["audio", 0]]);
  const media = out.filter(isMedia);
  const firstVideo = media.find((t) => t.type === "video")!;
  assert.equal(firstVideo.payload[0], 0x17, "video restarts at a keyframe");
  for (const type of ["audio", "video"] as const) {
    const ts = media.filter((t) => t.type === type).map((t) => t.timestamp);
    assert.ok(ts.every((t, i) => i === 0 || t > ts[i - 1]!), `${type} timestamps increase`);
  }
  const audioTs = media.filter((t) => t.type === "audio").map((t) => t.timestamp);
  assert.ok(audioTs.every((t, i) => i === 0 || t - audioTs[i - 1]! <= 21), "audio has no gap");
  assert.ok(audioTs[0]! >= 7000 - 2100 - 40, `audio starts within the bound (${audioTs[0]})`);
});

Deno.test("LagQueue drops nothing for a destination that keeps up, and counts what was written", () => {
  const queue = new LagQueue({ maxLagMs: 2000, maxBytes: 64 * 1024 * 1024 });
  let written = 0;
  const ends: { ts: number; end: number }[] = [];
  for (const tag of stream(10_000)) {
    queue.push(tag);
    const next = queue.shift()!;
    written += next.payload.length;
    queue.handedOff(next, written);
    ends.push({ ts: next.timestamp, end: written });
    // The socket is 1.5 s behind: within the bound.
    const out = ends.findLast((e) => e.ts <= next.timestamp - 1500);
    if (out) queue.written(out.end);
  }
  assert.equal(queue.dropped, 0);
  assert.ok(queue.lagMs >= 1400 && queue.lagMs <= 1600, `lag ${queue.lagMs}`);
  queue.written(written);
  assert.equal(queue.lagMs, 0);
});

Deno.test("LagQueue without a keyframe in reach drops video until the next one arrives", () => {
  const queue = new LagQueue({ maxLagMs: 500, maxBytes: 64 * 1024 * 1024 });
  // GOP of 4 s: when the bound is crossed at ~0.5 s, the only keyframe (0) is too old.
  for (let ts = 0; ts <= 3000; ts += 33) queue.push(video(ts, ts === 0));
  assert.ok(queue.lagMs <= 600, `lag ${queue.lagMs}`);
  queue.push(video(4000, true));
  const out: FlvTag[] = [];
  for (let tag = queue.shift(); tag; tag = queue.shift()) out.push(tag);
  const first = out[0]!;
  assert.equal(first.payload[0], 0x17, "starts at a keyframe");
  assert.ok(out.every((t, i) => i === 0 || t.timestamp > out[i - 1]!.timestamp));
  assert.deepEqual(out.map((t) => t.timestamp), [4000], "the GOP that fell behind is gone");
});
