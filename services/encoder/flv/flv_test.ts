import assert from "node:assert/strict";
import { ensureTestClip, requireBinary } from "@spiritstream/testing";
import { compositionOffset, type FlvTag, isKeyframe, isSequenceHeader } from "./flv.ts";
import { FlvReader } from "./flv_reader.ts";
import { FlvWriter } from "./flv_writer.ts";

function tag(type: FlvTag["type"], bytes: number[]): FlvTag {
  return { type, timestamp: 0, payload: new Uint8Array(bytes) };
}

Deno.test("isKeyframe() and isSequenceHeader() read legacy and Enhanced RTMP headers", () => {
  assert.ok(isSequenceHeader(tag("video", [0x17, 0x00])), "AVC sequence header");
  assert.ok(
    isKeyframe(tag("video", [0x17, 0x01])) && !isSequenceHeader(tag("video", [0x17, 0x01])),
  );
  assert.ok(!isKeyframe(tag("video", [0x27, 0x01])), "AVC inter frame");
  assert.ok(isSequenceHeader(tag("video", [0x1c, 0x00])), "legacy HEVC (codec 12) sequence header");
  // Enhanced RTMP: isExHeader | frameType 1 | PacketType SequenceStart (0), FourCC hvc1.
  assert.ok(isSequenceHeader(tag("video", [0x90, 0x68, 0x76, 0x63, 0x31])));
  assert.ok(isKeyframe(tag("video", [0x91, 0x68, 0x76, 0x63, 0x31])), "Enhanced coded frames key");
  assert.ok(!isSequenceHeader(tag("video", [0x91, 0x61, 0x76, 0x30, 0x31])), "av01 CodedFrames");
  assert.ok(!isKeyframe(tag("video", [0xa3, 0x61, 0x76, 0x30, 0x31])), "Enhanced inter frame");
  assert.ok(isSequenceHeader(tag("audio", [0xaf, 0x00])), "AAC sequence header");
  assert.ok(!isSequenceHeader(tag("audio", [0xaf, 0x01])), "AAC raw frame");
  assert.ok(isSequenceHeader(tag("audio", [0x90, 0x4f, 0x70, 0x75, 0x73])), "Enhanced audio start");
  assert.ok(!isSequenceHeader(tag("data", [0x02])) && !isKeyframe(tag("audio", [0x1f])));
});

Deno.test("FlvWriter.encodeTag() and FlvReader round-trip timestamps beyond 24 bits", async () => {
  const tags: FlvTag[] = [
    { type: "data", timestamp: 0, payload: Uint8Array.of(2, 0, 1, 0x41) },
    { type: "video", timestamp: 0x01234567, payload: Uint8Array.of(0x17, 1, 0, 0, 0, 9) },
    { type: "audio", timestamp: 0xfffffff0, payload: Uint8Array.of(0xaf, 1, 7) },
  ];
  const bytes = [FlvWriter.header(), ...tags.map((t) => FlvWriter.encodeTag(t))];
  const stream = ReadableStream.from(bytes.flatMap((b) => [b.subarray(0, 5), b.subarray(5)]));
  const got: FlvTag[] = [];
  for await (const t of new FlvReader(stream)) got.push(t);
  assert.deepEqual(got, tags);
});

Deno.test("FlvWriter feeds ffmpeg stdin and FlvReader parses ffmpeg stdout (stream copy)", async () => {
  const clip = await ensureTestClip();
  const input: FlvTag[] = [];
  for await (const t of new FlvReader((await Deno.open(clip)).readable)) input.push(t);
  assert.ok(input.length > 300);

  const child = new Deno.Command(requireBinary("ffmpeg"), {
    args: [
      "-hide_banner",
      "-loglevel",
      "error",
      "-f",
      "flv",
      "-i",
      "pipe:0",
      "-c",
      "copy",
      "-f",
      "flv",
      "pipe:1",
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = new FlvWriter(child.stdin);
  const output: FlvTag[] = [];
  const reading = (async () => {
    for await (const t of new FlvReader(child.stdout)) output.push(t);
  })();
  for (const t of input) writer.write(t);
  await writer.close();
  await reading;
  const status = await child.status;
  assert.equal(status.code, 0);
  assert.equal(writer.droppedTags, 0);

  const video = (list: FlvTag[]) => list.filter((t) => t.type === "video");
  const audio = (list: FlvTag[]) => list.filter((t) => t.type === "audio");
  assert.equal(video(output).length, video(input).length);
  assert.equal(audio(output).length, audio(input).length);
  assert.deepEqual(video(output).map((t) => t.payload), video(input).map((t) => t.payload));
  assert.deepEqual(audio(output).map((t) => t.payload), audio(input).map((t) => t.payload));
  assert.deepEqual(video(output).map((t) => t.timestamp), video(input).map((t) => t.timestamp));
  assert.equal(video(output).filter(isKeyframe).length, video(input).filter(isKeyframe).length);
  assert.equal(output[0]?.type, "data", "ffmpeg writes onMetaData first");
});

Deno.test("compositionOffset() reads the signed offset of AVC, HEVC and Enhanced RTMP CodedFrames; 0 for the rest", () => {
  const video = (...bytes: number[]): FlvTag => ({
    type: "video",
    timestamp: 0,
    payload: Uint8Array.from(bytes),
  });
  assert.equal(compositionOffset(video(0x27, 1, 0, 0, 67, 0x41)), 67);
  assert.equal(compositionOffset(video(0x1c, 1, 0xff, 0xff, 0xdf)), -33, "HEVC (codec 12), signed");
  assert.equal(compositionOffset(video(0x17, 0, 0, 0, 67)), 0, "a sequence header has none");
  // Enhanced RTMP: key frame, CodedFrames, 'hvc1', then SI24.
  assert.equal(compositionOffset(video(0x91, 0x68, 0x76, 0x63, 0x31, 0, 0, 100)), 100);
  assert.equal(
    compositionOffset(video(0x93, 0x68, 0x76, 0x63, 0x31, 0, 0, 100)),
    0,
    "CodedFramesX",
  );
  assert.equal(compositionOffset(video(0x27, 1, 0)), 0, "truncated");
  assert.equal(
    compositionOffset({ type: "audio", timestamp: 0, payload: Uint8Array.of(0xaf, 1, 0, 0, 9) }),
    0,
  );
});
