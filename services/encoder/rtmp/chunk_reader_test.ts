import assert from "node:assert/strict";
import { concatBytes } from "../flv/bytes.ts";
import { ChunkReader, type ChunkReaderLimits, UNLIMITED_CHUNKS } from "./chunk_reader.ts";
import { ChunkWriter } from "./chunk_writer.ts";
import { controlMessage, MessageType, type RtmpMessage } from "./messages.ts";

function payload(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

/** Feeds bytes in pseudo-random pieces (1 byte up to ~3 chunks) and collects the messages. */
function readInPieces(reader: ChunkReader, bytes: Uint8Array, seed = 7): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  let state = seed;
  for (let offset = 0; offset < bytes.length;) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const size = 1 + (state % 400);
    out.push(...reader.push(bytes.slice(offset, offset + size)));
    offset += size;
  }
  return out;
}

function strip(messages: RtmpMessage[]): Omit<RtmpMessage, "csid">[] {
  return messages.map(({ typeId, streamId, timestamp, payload }) => ({
    typeId,
    streamId,
    timestamp,
    payload,
  }));
}

Deno.test("ChunkWriter and ChunkReader round-trip messages across chunk size changes", () => {
  const writer = new ChunkWriter();
  const messages: RtmpMessage[] = [];
  const parts: Uint8Array[] = [];
  let ts = 0;
  const sizes = [0, 1, 127, 128, 129, 5000, 300, 300, 300, 70_000];
  for (const [i, size] of sizes.entries()) {
    if (i === 4) {
      // Set Chunk Size goes out with the old size, then both sides switch.
      const set = controlMessage(MessageType.SetChunkSize, 4096);
      parts.push(writer.encode(set));
      writer.setChunkSize(4096);
      messages.push(set);
    }
    if (i === 8) {
      const set = controlMessage(MessageType.SetChunkSize, 60);
      parts.push(writer.encode(set));
      writer.setChunkSize(60);
      messages.push(set);
    }
    ts += 33;
    const message = {
      typeId: MessageType.Video,
      streamId: 1,
      timestamp: ts,
      payload: payload(size, i),
    };
    messages.push(message);
    parts.push(writer.encode(message, 6));
  }
  const reader = new ChunkReader();
  const got = readInPieces(reader, concatBytes(parts));
  assert.deepEqual(strip(got), strip(messages));
  assert.equal(reader.chunkSize, 60);
});

Deno.test("ChunkReader handles extended timestamps, absolute and as deltas", () => {
  const writer = new ChunkWriter();
  const stamps = [0, 0xfffffe, 0xffffff, 0x1000000, 0x1000021, 0x1000021 + 0xffffff, 0xfffffff0];
  const messages = stamps.map((timestamp, i) => ({
    typeId: MessageType.Audio,
    streamId: 1,
    timestamp,
    payload: payload(300, i), // > 128: continuation chunks repeat the extended field
  }));
  const bytes = concatBytes(messages.map((m) => writer.encode(m, 4)));
  const got = readInPieces(new ChunkReader(), bytes, 3);
  assert.deepEqual(got.map((m) => m.timestamp), stamps);
  assert.deepEqual(strip(got), messages);
});

Deno.test("ChunkReader accepts fmt 3 continuations that omit the extended timestamp", () => {
  const body = payload(200, 1);
  // fmt 0, csid 4, ts 0xffffff (extended = 0x01000000), length 200, type 8, stream 1.
  const first = new Uint8Array([0x04, 0xff, 0xff, 0xff, 0, 0, 200, 8, 1, 0, 0, 0, 1, 0, 0, 0]);
  const bytes = concatBytes([
    first,
    body.subarray(0, 128),
    Uint8Array.of(0xc4),
    body.subarray(128),
  ]);
  const [message] = new ChunkReader().push(bytes);
  assert.equal(message?.timestamp, 0x01000000);
  assert.deepEqual(message?.payload, body);
});

Deno.test("ChunkReader reassembles interleaved chunk streams and fmt 3 message starts", () => {
  const video = payload(300, 1);
  const audio = payload(10, 2);
  // Video on csid 6: fmt 0 header + first 128 bytes, then an audio message on csid 4, then the rest.
  const videoHeader = new Uint8Array([0x06, 0, 0, 100, 0, 0x01, 0x2c, 9, 1, 0, 0, 0]);
  const audioMsg = new Uint8Array([0x04, 0, 0, 90, 0, 0, 10, 8, 1, 0, 0, 0, ...audio]);
  const bytes = concatBytes([
    videoHeader,
    video.subarray(0, 128),
    audioMsg,
    Uint8Array.of(0xc6),
    video.subarray(128, 256),
    Uint8Array.of(0xc6),
    video.subarray(256),
    // fmt 2 on csid 4 (delta 20), then fmt 3 message start: same length/type, delta 20 again.
    Uint8Array.of(0x84, 0, 0, 20),
    audio,
    Uint8Array.of(0xc4),
    audio,
  ]);
  const got = new ChunkReader().push(bytes);
  assert.deepEqual(got.map((m) => [m.typeId, m.timestamp, m.payload.length]), [
    [8, 90, 10],
    [9, 100, 300],
    [8, 110, 10],
    [8, 130, 10],
  ]);
  assert.deepEqual(got[1]?.payload, video);
});

Deno.test("ChunkReader drops a partial message on Abort", () => {
  const writer = new ChunkWriter();
  const big = writer.encode({ typeId: 9, streamId: 1, timestamp: 0, payload: payload(300, 1) }, 6);
  const abort = writer.encode(controlMessage(MessageType.Abort, 6));
  const next = new ChunkWriter().encode({
    typeId: 9,
    streamId: 1,
    timestamp: 5,
    payload: payload(50, 2),
  }, 6);
  const reader = new ChunkReader();
  // First chunk of the big message only (12-byte header + 128), then Abort, then a fresh message.
  const got = reader.push(concatBytes([big.subarray(0, 140), abort, next]));
  assert.deepEqual(got.map((m) => [m.typeId, m.payload.length]), [[2, 4], [9, 50]]);
});

Deno.test("ChunkReader rejects a chunk that references an unknown chunk stream", () => {
  assert.throws(() => new ChunkReader().push(Uint8Array.of(0x47, 0, 0, 1)), /new chunk stream/);
});

const SMALL: ChunkReaderLimits = {
  maxChunkSize: 4096,
  maxMessageSize: 1000,
  maxPendingBytes: 1500,
  maxChunkStreams: 3,
  context: "before an authenticated publish",
};

/** A fmt 0 chunk header on `csid` announcing a type-20 message of `length` bytes. */
function header(csid: number, length: number): Uint8Array {
  return Uint8Array.of(
    csid,
    0,
    0,
    0,
    length >> 16,
    (length >> 8) & 0xff,
    length & 0xff,
    20,
    0,
    0,
    0,
    0,
  );
}

Deno.test("ChunkReader refuses a Set Chunk Size above its limit, naming the rule", () => {
  const bytes = new ChunkWriter().encode(
    controlMessage(MessageType.SetChunkSize, 0xffffff),
  );
  const reader = new ChunkReader({ limits: SMALL });
  assert.throws(
    () => reader.push(bytes),
    /RTMP chunk size 16777215 exceeds 4096, the limit before an authenticated publish/,
  );
  assert.equal(new ChunkReader().push(bytes).length, 1, "unlimited, the same bytes are fine");
});

Deno.test("ChunkReader refuses a message header above its size limit before any body arrives", () => {
  const reader = new ChunkReader({ limits: SMALL });
  assert.throws(() => reader.push(header(3, 0xffffff)), /message of 16777215 bytes exceeds 1000/);
  assert.deepEqual(new ChunkReader().push(header(3, 0xffffff)), [], "unlimited, it waits");
});

Deno.test("ChunkReader limits unfinished bytes across chunk streams and the number of streams", () => {
  // Two 900-byte messages started on two csids: 1800 unfinished bytes > 1500.
  const first = concatBytes([header(3, 900), payload(128, 1)]);
  const second = concatBytes([header(4, 900), payload(128, 2)]);
  const reader = new ChunkReader({ limits: SMALL });
  assert.deepEqual(reader.push(first), []);
  assert.throws(() => reader.push(second), /1800 bytes of unfinished messages exceeds 1500/);

  const many = new ChunkReader({ limits: SMALL });
  for (const csid of [3, 4, 5]) {
    assert.equal(many.push(concatBytes([header(csid, 1), payload(1, csid)])).length, 1);
  }
  assert.throws(
    () => many.push(concatBytes([header(6, 1), payload(1, 6)])),
    /chunk stream 4 exceeds 3/,
  );
});

Deno.test("ChunkReader.setLimits() raises the limits for the rest of the session", () => {
  const reader = new ChunkReader({ limits: SMALL, initialBufferBytes: 4096 });
  const writer = new ChunkWriter();
  const message = {
    typeId: MessageType.Video,
    streamId: 1,
    timestamp: 0,
    payload: payload(70_000, 3),
  };
  reader.setLimits(UNLIMITED_CHUNKS);
  const got = readInPieces(reader, writer.encode(message, 6));
  assert.deepEqual(strip(got), [message]);
});

Deno.test("ChunkReader.setLimits() while a read fills space() keeps the bytes read into it", () => {
  const reader = new ChunkReader({ limits: SMALL, initialBufferBytes: 4096 });
  const writer = new ChunkWriter();
  const message = {
    typeId: MessageType.Audio,
    streamId: 1,
    timestamp: 5,
    payload: payload(300, 9),
  };
  const bytes = writer.encode(message, 4);
  // A socket read was handed this space, then the publish was authenticated asynchronously.
  const space = reader.space(bytes.length);
  reader.setLimits(UNLIMITED_CHUNKS);
  space.set(bytes);
  assert.deepEqual(strip(reader.commit(bytes.length)), [message]);
});
