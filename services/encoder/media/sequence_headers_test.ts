import assert from "node:assert/strict";
import { describeAudio, describeVideoHeader } from "./sequence_headers.ts";

const HEADERS = new URL("./testdata/headers/", import.meta.url).pathname;

function tag(type: "audio" | "video", payload: Uint8Array) {
  return { type, timestamp: 0, payload };
}

function fixture(name: string): Uint8Array {
  return Deno.readFileSync(`${HEADERS}${name}.bin`);
}

Deno.test("describeVideoHeader() reads x265's HEVC record: Main 4, 1920x1080", () => {
  assert.deepEqual(describeVideoHeader(tag("video", fixture("hevc_1920x1080_main"))), {
    codec: "HEVC",
    profile: "Main",
    level: "4",
    width: 1920,
    height: 1080,
  });
});

Deno.test("describeVideoHeader() reads an Enhanced RTMP avc1 SequenceStart like a legacy one", () => {
  const legacy = fixture("avc_1280x720_high");
  // ExVideoTagHeader: IsExHeader | key frame | SequenceStart, FourCC, then the record.
  const enhanced = new Uint8Array([
    0x90,
    ...new TextEncoder().encode("avc1"),
    ...legacy.subarray(5),
  ]);
  assert.deepEqual(
    describeVideoHeader(tag("video", enhanced)),
    describeVideoHeader(tag("video", legacy)),
  );
});

Deno.test("describeVideoHeader() names the codec even when its header cannot be read", () => {
  assert.deepEqual(describeVideoHeader(tag("video", Uint8Array.of(0x17, 0, 0, 0, 0, 1, 2))), {
    codec: "H.264",
    profile: null,
    level: null,
    width: null,
    height: null,
  });
  assert.equal(
    describeVideoHeader(tag("video", Uint8Array.of(0x90, 0x61, 0x76, 0x30, 0x31))).codec,
    "AV1",
  );
});

Deno.test("describeAudio() reads AAC from its config and MP3 from the FLV flags", () => {
  assert.deepEqual(describeAudio(tag("audio", fixture("aac_48000_stereo"))), {
    codec: "AAC",
    profile: "AAC-LC",
    sampleRate: 48000,
    channels: 2,
  });
  // MP3, 44 kHz, 16-bit, stereo.
  assert.deepEqual(describeAudio(tag("audio", Uint8Array.of(0x2f, 0xff))), {
    codec: "MP3",
    profile: null,
    sampleRate: 44100,
    channels: 2,
  });
});
