import type { Profile, ProfileSummary } from "@spiritstream/contracts";

/** One row of the profile list (SpiritStream §4.8), from the first output group; secrets unused. */
export function summarizeProfile(profile: Profile, isEncrypted: boolean): ProfileSummary {
  const first = profile.outputGroups[0];
  const targets = profile.outputGroups.flatMap((group) => group.streamTargets);
  let resolution = "None";
  let bitrate = 0;
  if (first) {
    if (first.video.codec.toLowerCase() === "copy") resolution = "Passthrough";
    else {
      resolution = `${first.video.height}p${first.video.fps}`;
      bitrate = Number(/^\d+/.exec(first.video.bitrate)?.[0] ?? 0);
    }
  }
  return {
    id: profile.id,
    name: profile.name,
    resolution,
    bitrate,
    targetCount: targets.length,
    services: [...new Set(targets.map((target) => target.service))],
    isEncrypted,
  };
}

/** The row of a password-protected profile that is locked: nothing but its name is readable. */
export function lockedSummary(id: string, name: string): ProfileSummary {
  return {
    id,
    name,
    resolution: "?",
    bitrate: 0,
    targetCount: 0,
    services: [],
    isEncrypted: true,
  };
}
