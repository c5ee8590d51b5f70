import assert from "node:assert/strict";
import { findPlatform } from "@spiritstream/contracts/platforms";
import { obsEncoderAdvice } from "./obs_settings.ts";

Deno.test("obsEncoderAdvice() asks for CBR, 2 s keyframes and the lowest platform's bitrate", () => {
  const youtube = findPlatform("YouTube")!;
  const twitch = findPlatform("Twitch")!;
  assert.deepEqual(obsEncoderAdvice([youtube]), {
    bitrateKbps: 10000,
    keyframeIntervalSecs: 2,
    rateControl: "CBR",
    perPlatform: [{ name: "YouTube", kbps: 10000 }],
  });
  // One stream goes to both: Twitch's 6000 is what both accept.
  assert.equal(obsEncoderAdvice([youtube, twitch]).bitrateKbps, 6000);
  assert.equal(obsEncoderAdvice([findPlatform("Kick")!]).bitrateKbps, 8000);
  assert.equal(obsEncoderAdvice([]).bitrateKbps, 6000);
});
