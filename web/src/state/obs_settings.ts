import type { Platform } from "./platforms.ts";

/** What OBS should send, for one set of platforms (one stream goes to all of them). */
export interface ObsEncoderAdvice {
  /** Video bitrate in kbit/s: the lowest any chosen platform takes at 1080p30. */
  bitrateKbps: number;
  keyframeIntervalSecs: number;
  rateControl: "CBR";
  /** Each chosen platform with the bitrate it takes. */
  perPlatform: { name: string; kbps: number }[];
}

// The platforms' published 1080p30 figures (a Twitch stream above 6000 kbit/s may be cut off);
// a platform missing here gets the common 6000.
const BITRATE_KBPS: Record<string, number> = {
  "YouTube - RTMPS": 10000,
  "YouTube - RTMP": 10000,
  "Twitch": 6000,
  "Kick": 8000,
  "Facebook Live": 6000,
  "TikTok Live": 6000,
};
const DEFAULT_KBPS = 6000;

/** The OBS encoder settings that every chosen platform accepts. */
export function obsEncoderAdvice(platforms: readonly Platform[]): ObsEncoderAdvice {
  const perPlatform = platforms.map((p) => ({
    name: p.displayName,
    kbps: BITRATE_KBPS[p.name] ?? DEFAULT_KBPS,
  }));
  const bitrateKbps = perPlatform.length === 0
    ? DEFAULT_KBPS
    : Math.min(...perPlatform.map((p) => p.kbps));
  return { bitrateKbps, keyframeIntervalSecs: 2, rateControl: "CBR", perPlatform };
}
