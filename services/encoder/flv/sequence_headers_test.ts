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

Deno.test("describeVideoHeader() and describeAudio() never report a zero size or rate", () => {
  // An HEVC record whose SPS says 0x0 (every ue(v) zero), and an AAC config with rate 0.
  const record = new Uint8Array(23 + 3 + 2 + 16);
  record[0] = 1;
  record[22] = 1;
  record.set([33, 0, 1, 0, 16], 23);
  // NAL header, VPS 0 / no sub-layers / nested, 12 bytes of profile-tier-level, then
  // sps_id 0, chroma 1, width 0, height 0, no conformance window.
  record.set([0x42, 0x01, 0x01, ...new Array(12).fill(0), 0b1010_1101], 28);
  const header = describeVideoHeader(tag("video", new Uint8Array([0x1c, 0, 0, 0, 0, ...record])));
  assert.equal(header.codec, "HEVC");
  assert.equal(header.profile, "profile 0", "the record itself was read");
  assert.equal(header.width, null);
  assert.equal(header.height, null);
  // AAC-LC, escaped rate 0, stereo.
  const aac = describeAudio(tag("audio", Uint8Array.of(0xaf, 0, 0x17, 0x80, 0, 0, 0x10)));
  assert.equal(aac.sampleRate, null);
  assert.equal(aac.channels, 2);
});
