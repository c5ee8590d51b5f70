import assert from "node:assert/strict";
import type { IngestMedia } from "./ingest_media.ts";
import { bitrateKbps, ingestWarnings, type WarningTarget } from "./ingest_warnings.ts";

function media(keyframeIntervalSecs: number | null): IngestMedia {
  return {
    video: {
      codec: "H.264",
      profile: "High",
      level: "3.1",
      width: 1280,
      height: 720,
      fps: 30,
      keyframeIntervalSecs,
    },
    audio: null,
  };
}

const youtube: WarningTarget = {
  targetId: "yt",
  label: "YouTube",
  service: "YouTube - RTMPS",
  bitrateKbps: null,
};
const twitch: WarningTarget = {
  targetId: "tw",
  label: "Main channel",
  service: "Twitch",
  bitrateKbps: null,
};
const custom: WarningTarget = { targetId: "c", label: "Box", service: "Custom", bitrateKbps: null };

Deno.test("ingestWarnings() warns above 4 s for YouTube and Twitch, not at 2 s or 4 s", () => {
  assert.deepEqual(ingestWarnings(media(2), 2500, [youtube, twitch]), []);
  assert.deepEqual(ingestWarnings(media(4.03), 2500, [youtube, twitch]), []);
  assert.deepEqual(ingestWarnings(media(null), 2500, [youtube]), []);
  assert.deepEqual(ingestWarnings(media(8), 2500, [youtube, twitch]), [{
    kind: "keyframe_interval",
    targetId: null,
    message: "Keyframe interval is 8 s; YouTube and Twitch accept at most 4 s: " +
      "set Keyframe Interval to 2 s in OBS (Settings → Output).",
  }]);
});

Deno.test("ingestWarnings() warns about keyframes with only custom targets, not for re-encoded ones", () => {
  assert.equal(ingestWarnings(media(8), 2500, [custom])[0]?.kind, "keyframe_interval");
  assert.equal(ingestWarnings(media(8), 2500, [])[0]?.kind, "keyframe_interval");
  const reencoded = { ...youtube, bitrateKbps: 6000 };
  assert.deepEqual(ingestWarnings(media(8), 2500, [reencoded]), []);
});

Deno.test("ingestWarnings() names the target whose platform takes less than it gets", () => {
  const warnings = ingestWarnings(media(2), 7200, [youtube, twitch]);
  assert.deepEqual(warnings, [{
    kind: "bitrate",
    targetId: "tw",
    message: "Main channel gets 7200 kbps but Twitch takes at most 6000 kbps: " +
      "lower the bitrate in OBS (Settings → Output).",
  }]);
  const group = ingestWarnings(media(2), 2000, [{ ...twitch, bitrateKbps: 8000 }]);
  assert.match(group[0]!.message, /gets 8000 kbps .* lower this output group's bitrate/);
  assert.deepEqual(ingestWarnings(null, 9000, [twitch]), [], "nothing arrives, nothing sent");
});

Deno.test("bitrateKbps() reads FFmpeg bitrate strings", () => {
  assert.equal(bitrateKbps("6000k"), 6000);
  assert.equal(bitrateKbps("8M"), 8000);
  assert.equal(bitrateKbps("160000"), 160);
  assert.equal(bitrateKbps("fast"), 0);
});
