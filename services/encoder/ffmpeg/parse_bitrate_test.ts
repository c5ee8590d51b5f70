import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { formatBitrate, parseBitrate } from "./parse_bitrate.ts";

const bounds = { min: 1_000, max: 100_000_000 };

Deno.test("parseBitrate() reads k and M units as FFmpeg does", () => {
  assert.equal(parseBitrate("6000k", "video.bitrate", bounds), 6_000_000);
  assert.equal(parseBitrate("8M", "video.bitrate", bounds), 8_000_000);
  assert.equal(parseBitrate("2.5M", "video.bitrate", bounds), 2_500_000);
  assert.equal(parseBitrate(" 160K ", "audio.bitrate", bounds), 160_000);
  assert.equal(parseBitrate("64000", "audio.bitrate", bounds), 64_000);
});

Deno.test("parseBitrate() rejects malformed and out-of-range values naming the field", () => {
  for (
    const [text, rule] of [["6 Mbps", /must look like 6000k or 8M/], ["-1k", /must look like/], [
      "200M",
      /must be from 1k to 100000k/,
    ]] as const
  ) {
    assert.throws(() => parseBitrate(text, "video.bitrate", bounds), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "invalid_argument");
      assert.match(error.message, /^Invalid argument "video\.bitrate": /);
      assert.match(error.message, rule);
      return true;
    });
  }
});

Deno.test("formatBitrate() writes whole kbit/s with k, anything else in bits", () => {
  assert.equal(formatBitrate(12_000_000), "12000k");
  assert.equal(formatBitrate(5_001_000), "5001k");
  assert.equal(formatBitrate(2_500_500), "2500500");
});
