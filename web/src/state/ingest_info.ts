import type { IngestAudio, IngestVideo, Profile } from "@spiritstream/contracts";
import {
  bitrateKbps,
  type IngestWarning,
  ingestWarnings,
  type WarningTarget,
} from "@spiritstream/contracts/ingest_warnings";
import type { IngestLive } from "./stream.ts";
import { platformOf } from "./platforms.ts";

/** The profile's targets as the warnings see them (a re-encode group sends its own bitrate). */
export function warningTargets(profile: Profile | null): WarningTarget[] {
  return (profile?.outputGroups ?? []).flatMap((g) =>
    g.streamTargets.map((t) => {
      const known = platformOf(t.service);
      return {
        targetId: t.id,
        label: t.name || (known.name === "Custom" ? t.service : known.displayName),
        service: t.service,
        bitrateKbps: g.video.codec === "copy"
          ? null
          : bitrateKbps(g.video.bitrate) + bitrateKbps(g.audio.bitrate),
      };
    })
  );
}

/** Warnings about what arrives, against the active profile's targets. */
export function warningsFor(ingest: IngestLive, profile: Profile | null): IngestWarning[] {
  if (ingest.state !== "live" || !ingest.media) return [];
  return ingestWarnings(ingest.media, ingest.bitrate, warningTargets(profile));
}

/** `H.264 High 3.1`. */
export function describeCodec(v: IngestVideo): string {
  return [v.codec, v.profile, v.level].filter(Boolean).join(" ");
}

/** `1280×720`, or a dash when the header did not say. */
export function describeSize(v: IngestVideo): string {
  return v.width && v.height ? `${v.width}×${v.height}` : "—";
}

/** `AAC-LC · 48 kHz · stereo`. */
export function describeAudioFormat(a: IngestAudio | null): string {
  if (!a) return "None";
  const channels = a.channels === null
    ? null
    : a.channels === 1
    ? "mono"
    : a.channels === 2
    ? "stereo"
    : a.channels === 6
    ? "5.1"
    : `${a.channels} channels`;
  const rate = a.sampleRate === null ? null : `${Math.round(a.sampleRate / 100) / 10} kHz`;
  return [a.profile ?? a.codec, rate, channels].filter(Boolean).join(" · ");
}
