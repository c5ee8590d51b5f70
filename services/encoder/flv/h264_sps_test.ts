import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { parseAudioSpecificConfig } from "./aac_config.ts";
import { parseAvcConfig, parseH264Sps } from "./h264_sps.ts";

const HEADERS = new URL("./testdata/headers/", import.meta.url).pathname;

/** The AVCDecoderConfigurationRecord inside a fixture's FLV video tag body. */
function avcRecord(name: string): Uint8Array {
  return Deno.readFileSync(`${HEADERS}${name}.bin`).subarray(5);
}

Deno.test("parseAvcConfig() reads FFmpeg's 1280x720 High 3.1 record (no cropping)", () => {
  const sps = parseAvcConfig(avcRecord("avc_1280x720_high"));
  assert.deepEqual(
    { ...sps },
    {
      profileIdc: 100,
      profile: "High",
      level: "3.1",
      width: 1280,
      height: 720,
      chromaFormat: "4:2:0",
      bitDepth: 8,
      interlaced: false,
    },
  );
});

Deno.test("parseAvcConfig() subtracts the cropping window: 1088 coded rows show as 1080", () => {
  const sps = parseAvcConfig(avcRecord("avc_1920x1080_main"));
  assert.equal(sps.profile, "Main");
  assert.equal(sps.level, "4");
  assert.equal(`${sps.width}x${sps.height}`, "1920x1080");
});

Deno.test("parseAvcConfig() crops in chroma units: 854x480 4:2:0 (864 coded columns)", () => {
  const sps = parseAvcConfig(avcRecord("avc_854x480_baseline"));
  assert.equal(sps.profile, "Constrained Baseline");
  assert.equal(sps.level, "3");
  assert.equal(`${sps.width}x${sps.height}`, "854x480");
});

Deno.test("parseAvcConfig() crops in luma units for 4:4:4 (1080 of 1088 columns)", () => {
  const sps = parseAvcConfig(avcRecord("avc_1080x1920_high444"));
  assert.equal(sps.profile, "High 4:4:4 Predictive");
  assert.equal(sps.chromaFormat, "4:4:4");
  assert.equal(`${sps.width}x${sps.height}`, "1080x1920");
});

Deno.test("parseAvcConfig() counts field pairs for interlaced video (1920x1080i)", () => {
  const sps = parseAvcConfig(avcRecord("avc_1920x1080_interlaced"));
  assert.equal(sps.interlaced, true);
  assert.equal(`${sps.width}x${sps.height}`, "1920x1080");
});

Deno.test("parseH264Sps() refuses a truncated SPS and a non-SPS NAL with invalid_argument", () => {
  const record = avcRecord("avc_1280x720_high");
  const length = (record[6]! << 8) | record[7]!;
  const sps = record.subarray(8, 8 + length);
  for (const bad of [sps.subarray(0, 6), Uint8Array.of(0x68, 1, 2, 3, 4)]) {
    assert.throws(
      () => parseH264Sps(bad),
      (e) => e instanceof AppError && e.code === "invalid_argument" && /H\.264 SPS/.test(e.message),
    );
  }
  assert.throws(() => parseAvcConfig(record.subarray(0, 12)), /truncated/);
});

/** The AudioSpecificConfig inside a fixture's FLV audio tag body. */
function asc(name: string): Uint8Array {
  return Deno.readFileSync(`${HEADERS}${name}.bin`).subarray(2);
}

Deno.test("parseAudioSpecificConfig() reads FFmpeg's AAC-LC configs: rate and channels", () => {
  const read = (name: string) => {
    const c = parseAudioSpecificConfig(asc(name));
    return `${c.profile} ${c.sampleRate} ${c.channels}`;
  };
  assert.equal(read("aac_48000_stereo"), "AAC-LC 48000 2");
  assert.equal(read("aac_44100_mono"), "AAC-LC 44100 1");
  assert.equal(read("aac_32000_5.1"), "AAC-LC 32000 6");
});

Deno.test("parseAudioSpecificConfig() follows explicit HE-AAC signalling and escaped rates", () => {
  // HE-AAC (5), core 24 kHz (6), stereo, extension 48 kHz (3), core AAC-LC (2).
  const he = parseAudioSpecificConfig(Uint8Array.of(0x2b, 0x11, 0x88, 0x00));
  assert.deepEqual({ ...he }, { objectType: 5, profile: "HE-AAC", sampleRate: 48000, channels: 2 });
  // Index 15: a 24-bit rate (here 50000) follows.
  const escaped = parseAudioSpecificConfig(Uint8Array.of(0x17, 0x80, 0x61, 0xa8, 0x08));
  assert.equal(escaped.sampleRate, 50000);
  assert.equal(escaped.channels, 1);
  assert.throws(() => parseAudioSpecificConfig(Uint8Array.of(0x16, 0x80)), /index 13 is reserved/);
});
