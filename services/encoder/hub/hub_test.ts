import assert from "node:assert/strict";
import { encodeAmf0 } from "../flv/amf0.ts";
import { compositionOffset, type FlvTag, isKeyframe, isSequenceHeader } from "../flv/flv.ts";
import { createMediaHub, type MediaSink, type MediaSource } from "./hub.ts";

/** An in-memory source (the hub's port), fed by the test instead of an RTMP publisher. */
function memorySource(): MediaSource & { emit(tag: FlvTag): void; end(): void } {
  const listeners = new Set<(tag: FlvTag) => void>();
  let end!: () => void;
  const closed = new Promise<void>((resolve) => (end = resolve));
  return {
    onTag(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    closed,
    emit: (tag) => listeners.forEach((l) => l(tag)),
    end: () => end(),
  };
}

function memorySink(): MediaSink & { tags: FlvTag[]; queuedBytes: number } {
  return {
    tags: [],
    queuedBytes: 0,
    write(tag) {
      this.tags.push(tag);
    },
  };
}

const metadata: FlvTag = {
  type: "data",
  timestamp: 0,
  payload: encodeAmf0(["onMetaData", { width: 640 }]),
};
function avcHeader(v = 1): FlvTag {
  return { type: "video", timestamp: 0, payload: Uint8Array.of(0x17, 0, 0, 0, 0, v) };
}
const aacHeader: FlvTag = {
  type: "audio",
  timestamp: 0,
  payload: Uint8Array.of(0xaf, 0, 0x11, 0x90),
};
function frame(ts: number, key: boolean, size = 100): FlvTag {
  const payload = new Uint8Array(size);
  payload.set([key ? 0x17 : 0x27, 1]);
  return { type: "video", timestamp: ts, payload };
}
function sound(ts: number): FlvTag {
  return { type: "audio", timestamp: ts, payload: Uint8Array.of(0xaf, 1, 1, 2) };
}

/** Sends headers, then `frames` video frames at 30 fps (keyframe every `gop`) with audio between. */
function publish(
  source: { emit(tag: FlvTag): void },
  frames: number,
  options: { gop?: number; from?: number } = {},
) {
  const { gop = 60, from = 0 } = options;
  if (from === 0) [metadata, avcHeader(), aacHeader].forEach((t) => source.emit(t));
  for (let i = from; i < from + frames; i++) {
    source.emit(frame(Math.round(i * 1000 / 30), i % gop === 0));
    source.emit(sound(Math.round(i * 1000 / 30) + 5));
  }
}

Deno.test("createMediaHub() gives a sink added while live metadata, sequence headers and the GOP at once", () => {
  const hub = createMediaHub();
  const source = memorySource();
  hub.attachSource(source);
  publish(source, 75); // keyframes at frames 0 and 60: the cached GOP is frames 60..74
  const late = memorySink();
  hub.addSink(late);
  assert.deepEqual(late.tags.slice(0, 3).map((t) => t.type), ["data", "video", "audio"]);
  assert.ok(isSequenceHeader(late.tags[1]!) && isSequenceHeader(late.tags[2]!));
  const media = late.tags.slice(3);
  assert.ok(isKeyframe(media[0]!), "the replay starts at the last keyframe");
  assert.equal(media.filter((t) => t.type === "video").length, 15);
  assert.equal(media[0]!.timestamp, 0, "the sink's timeline starts at 0");
  source.emit(frame(2500, false));
  assert.equal(
    late.tags.at(-1)!.timestamp,
    2500 - 2000,
    "live tags continue on the sink's timeline",
  );
});

Deno.test("createMediaHub() drops video for a slow sink until the next keyframe, never for the others", () => {
  const hub = createMediaHub({ sinkHighWaterBytes: 1000, sinkMaxBytes: 5000 });
  const source = memorySource();
  const fast = memorySink();
  const slow = memorySink();
  hub.addSink(fast);
  hub.addSink(slow);
  hub.attachSource(source);
  publish(source, 10, { gop: 30 });
  slow.queuedBytes = 2000; // falls behind
  publish(source, 20, { gop: 30, from: 10 });
  const slowVideo = () => slow.tags.filter((t) => t.type === "video" && !isSequenceHeader(t));
  assert.equal(slowVideo().length, 10, "no video while behind");
  assert.equal(
    slow.tags.filter((t) => t.type === "audio").length,
    31,
    "audio still flows below sinkMaxBytes",
  );
  slow.queuedBytes = 0; // caught up, but frames 30.. must wait for a keyframe
  source.emit(frame(1000, false));
  assert.equal(slowVideo().length, 10, "an inter frame after the gap is not sent");
  source.emit(frame(1033, true));
  source.emit(frame(1066, false));
  assert.equal(slowVideo().length, 12);
  assert.ok(isKeyframe(slowVideo()[10]!), "delivery resumes with a keyframe");
  assert.equal(
    fast.tags.filter((t) => t.type === "video").length,
    1 + 33,
    "the fast sink got everything",
  );
  assert.equal(hub.stats().sinks[1]?.droppedTags, 21);
  assert.equal(hub.sinkStats(slow)?.droppedTags, 21, "sinkStats() finds the sink itself");
  assert.equal(hub.sinkStats(fast)?.droppedTags, 0);
  hub.removeSink(slow);
  assert.equal(hub.sinkStats(slow), undefined);
});

/** A hub with one sink whose first source published 90 frames and left. */
async function hubAfterOneSource() {
  const hub = createMediaHub();
  const sink = memorySink();
  hub.addSink(sink);
  const first = memorySource();
  hub.attachSource(first);
  publish(first, 90);
  await endSource(first);
  return { hub, sink };
}

Deno.test("createMediaHub() keeps each sink's timeline increasing across a publisher reconnect", async () => {
  const { hub, sink } = await hubAfterOneSource();
  const lastBefore = sink.tags.at(-1)!.timestamp;
  assert.equal(hub.live, false);

  const second = memorySource();
  hub.attachSource(second);
  second.emit(metadata);
  second.emit(avcHeader(2)); // a new encoder may bring new parameters
  second.emit(aacHeader);
  second.emit(frame(0, false)); // not decodable without its keyframe: withheld
  for (let i = 1; i <= 60; i++) {
    second.emit(frame(i * 33, i % 30 === 1));
    second.emit(sound(i * 33 + 5));
  }
  const after = sink.tags.filter((t) => t.timestamp > lastBefore);
  const newHeader = sink.tags.find((t) => isSequenceHeader(t) && t.payload[5] === 2)!;
  assert.ok(
    newHeader.timestamp > lastBefore,
    "the new sequence header comes after the old timeline",
  );
  const firstNewVideo = sink.tags.find((t) =>
    t.type === "video" && !isSequenceHeader(t) && t.timestamp > lastBefore
  )!;
  assert.ok(isKeyframe(firstNewVideo), "the new source's media starts at a keyframe");
  assert.ok(sink.tags.indexOf(newHeader) < sink.tags.indexOf(firstNewVideo), "headers first");
  for (const type of ["audio", "video"] as const) {
    const stamps = sink.tags.filter((t) => t.type === type).map((t) => t.timestamp);
    assert.ok(stamps.every((ts, i) => i === 0 || ts >= stamps[i - 1]!), `${type} never goes back`);
  }
  assert.ok(after.length > 100);
  assert.equal(hub.stats().sources, 2);
});

Deno.test("createMediaHub() stats() reports bytes in, bitrate and frame rate", () => {
  const hub = createMediaHub();
  const source = memorySource();
  hub.attachSource(source);
  publish(source, 60);
  const stats = hub.stats();
  const expectedBytes = metadata.payload.length + 6 + 4 + 60 * 100 + 60 * 4;
  assert.equal(stats.bytesIn, expectedBytes);
  assert.equal(stats.kbps, Math.round(expectedBytes * 8 / 1000));
  assert.ok(Math.abs(stats.fps - 30) < 0.5, `fps ${stats.fps}`);
  assert.equal(stats.live, true);
});

Deno.test("createMediaHub() caches the GOP in its own memory: a late sink's replay holds no source buffer and survives later GOPs", () => {
  const hub = createMediaHub();
  const source = memorySource();
  hub.attachSource(source);
  const sent: FlvTag[] = [];
  let n = 0;
  const emit = (tag: FlvTag) => {
    // Distinct bytes in every media tag, so an overwritten copy would show.
    if (!isSequenceHeader(tag) && tag.type !== "data") tag.payload[tag.payload.length - 1] = ++n;
    sent.push(tag);
    source.emit(tag);
  };
  publish({ emit }, 75); // the cached GOP is frames 60..74
  const late = memorySink();
  hub.addSink(late);
  const replay = late.tags.slice(3);
  assert.equal(replay.length, 30);
  const sourceBuffers = new Set(sent.map((t) => t.payload.buffer));
  assert.ok(
    replay.every((t) => !sourceBuffers.has(t.payload.buffer)),
    "the replay does not pin the ingest's buffers (they would outlive V8's young generation)",
  );
  const before = replay.map((t) => t.payload.slice());
  // Two more GOPs: the hub reuses its cache memory for them.
  publish({ emit }, 120, { from: 75 });
  assert.deepEqual(replay.map((t) => t.payload), before, "what a sink got is never overwritten");
  const later = memorySink();
  hub.addSink(later);
  const second = later.tags.slice(3);
  assert.ok(isKeyframe(second[0]!));
  assert.deepEqual(
    second.map((t) => [...t.payload]),
    sent.slice(-second.length).map((t) => [...t.payload]),
    "the cache holds the latest GOP, byte for byte",
  );
});

/** A video frame whose presentation time is `ts + cts` (B-frames reorder). */
function framePresented(ts: number, cts: number, key: boolean): FlvTag {
  const payload = new Uint8Array(100);
  payload.set([key ? 0x17 : 0x27, 1, (cts >> 16) & 0xff, (cts >> 8) & 0xff, cts & 0xff]);
  return { type: "video", timestamp: ts, payload };
}

async function endSource(source: ReturnType<typeof memorySource>): Promise<void> {
  source.end();
  await source.closed;
  await Promise.resolve();
}

Deno.test("createMediaHub() starts a reconnected source after the old source's last PRESENTED frame (B-frames: a P frame shown 5 frames after its decode time)", async () => {
  const hub = createMediaHub();
  const sink = memorySink();
  hub.addSink(sink);
  const first = memorySource();
  hub.attachSource(first);
  [metadata, avcHeader(), aacHeader].forEach((t) => first.emit(t));
  for (let i = 0; i < 60; i++) {
    // x264's pattern with 3 B-frames: I/P frames carry up to 167 ms of composition offset.
    first.emit(framePresented(i * 33, i % 4 === 0 ? 167 : 33, i === 0));
    first.emit(sound(i * 33 + 5));
  }
  const shownBefore = Math.max(
    ...sink.tags.filter((t) => t.type === "video" && !isSequenceHeader(t))
      .map((t) => t.timestamp + compositionOffset(t)),
  );
  await endSource(first);
  const before = sink.tags.length;
  const second = memorySource();
  hub.attachSource(second);
  [metadata, avcHeader(2), aacHeader].forEach((t) => second.emit(t));
  second.emit(framePresented(0, 67, true));
  const [key] = sink.tags.slice(before).filter((t) => t.type === "video" && isKeyframe(t));
  const shownAt = key!.timestamp + compositionOffset(key!);
  // A decoder flushes the old frames at the new keyframe: presented earlier, it would show
  // backwards, and a muxer at the frame rate's time base refuses the repeated tick.
  assert.ok(
    shownAt >= shownBefore + 33,
    `the new keyframe is shown at ${shownAt} ms, the old source's last frame at ${shownBefore} ms`,
  );
});

Deno.test("createMediaHub() splices a new source whose audio leads its video so each track keeps its frame spacing and the two stay in sync", async () => {
  const { hub, sink } = await hubAfterOneSource();
  const before = sink.tags.length;
  // The reconnected encoder's first tag is audio 200 ms ahead of its video: the splice is
  // decided on it, so its first video frames would land on the old timeline's last one.
  const second = memorySource();
  hub.attachSource(second);
  second.emit(sound(200));
  [metadata, avcHeader(2), aacHeader].forEach((t) => second.emit(t));
  for (let i = 0; i < 30; i++) {
    second.emit(frame(i * 33, i === 0));
    second.emit(sound(233 + i * 33));
  }
  for (const type of ["audio", "video"] as const) {
    const stamps = sink.tags.filter((t) => t.type === type && !isSequenceHeader(t))
      .map((t) => t.timestamp);
    // A muxer at the frame rate's time base (1/30 s) refuses two frames on one tick.
    const crowded = stamps.filter((ts, i) => i > 0 && ts - stamps[i - 1]! < 30);
    assert.deepEqual(crowded, [], `${type}: frames stay a frame apart across the splice`);
  }
  const after = sink.tags.slice(before).filter((t) => t.type !== "data" && !isSequenceHeader(t));
  const video = after.filter((t) => t.type === "video").map((t) => t.timestamp);
  const audio = after.filter((t) => t.type === "audio").map((t) => t.timestamp);
  // Source time 233 ms is audio tag 1 and video frame 7 (7 × 33 = 231): still 2 ms apart.
  assert.equal(audio[1]! - video[7]!, 2, "audio and video keep the source's sync");
});

Deno.test("createMediaHub(): a publisher's absurd composition offset (the field's 2.3 h maximum) moves the next source's timeline by at most a second", async () => {
  const hub = createMediaHub();
  const sink = memorySink();
  hub.addSink(sink);
  const first = memorySource();
  hub.attachSource(first);
  [metadata, avcHeader(), aacHeader].forEach((t) => first.emit(t));
  first.emit(framePresented(0, 0, true));
  first.emit(framePresented(33, 0x7fffff, false));
  await endSource(first);
  const second = memorySource();
  hub.attachSource(second);
  [metadata, avcHeader(2), aacHeader].forEach((t) => second.emit(t));
  second.emit(framePresented(0, 0, true));
  const key = sink.tags.filter((t) => t.type === "video" && isKeyframe(t)).at(-1)!;
  assert.ok(key.timestamp <= 33 + 1000 + 100, `the new source starts at ${key.timestamp} ms`);
});
