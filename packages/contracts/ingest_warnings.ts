import type { IngestMedia } from "./ingest_media.ts";
import { findPlatform } from "./platforms.ts";

/** One target as {@linkcode ingestWarnings} sees it. */
export interface WarningTarget {
  targetId: string;
  /** The label the creator knows ("Main channel", or the platform's name). */
  label: string;
  service: string;
  /** kbit/s its group sends (video + audio); null for passthrough (it gets the ingest's). */
  bitrateKbps: number | null;
}

/** A problem with what arrives, for the dashboard. */
export interface IngestWarning {
  kind: "keyframe_interval" | "bitrate";
  /** The target it concerns; null for one about the ingest as a whole. */
  targetId: string | null;
  message: string;
}

/** What platforms in general accept when no target names one (YouTube's and Twitch's limit). */
export const DEFAULT_MAX_KEYFRAME_INTERVAL_SECS = 4;

/**
 * Warnings about the incoming stream against the targets it goes to: a keyframe interval above
 * what a passthrough target's platform accepts (or above 4 s when no target says), and a
 * target that would get more bitrate than its platform takes in. Re-encoded targets get our own
 * keyframe interval, so only their bitrate counts.
 */
export function ingestWarnings(
  media: IngestMedia | null,
  bitrateKbps: number,
  targets: readonly WarningTarget[],
): IngestWarning[] {
  const warnings: IngestWarning[] = [];
  const keyframe = keyframeWarning(media?.video?.keyframeIntervalSecs ?? null, targets);
  if (keyframe) warnings.push(keyframe);
  for (const target of targets) {
    const limit = findPlatform(target.service)?.maxBitrateKbps;
    const sends = target.bitrateKbps ?? (media ? bitrateKbps : 0);
    if (limit === undefined || sends <= limit) continue;
    const fix = target.bitrateKbps === null
      ? "lower the bitrate in OBS (Settings → Output)"
      : "lower this output group's bitrate";
    warnings.push({
      kind: "bitrate",
      targetId: target.targetId,
      message: `${target.label} gets ${Math.round(sends)} kbps but ${
        platformName(target.service)
      } takes at most ${limit} kbps: ${fix}.`,
    });
  }
  return warnings;
}

function keyframeWarning(
  seconds: number | null,
  targets: readonly WarningTarget[],
): IngestWarning | null {
  if (seconds === null) return null;
  const strict = targets.filter((t) =>
    t.bitrateKbps === null && findPlatform(t.service)?.maxKeyframeIntervalSecs !== undefined
  );
  const limit = strict.length > 0
    ? Math.min(...strict.map((t) => findPlatform(t.service)!.maxKeyframeIntervalSecs!))
    : targets.every((t) => t.bitrateKbps !== null) && targets.length > 0
    ? Infinity
    : DEFAULT_MAX_KEYFRAME_INTERVAL_SECS;
  // Encoders round: 4.03 s from timestamps is still a 4 s setting.
  if (seconds <= limit + 0.1) return null;
  const who = strict.length > 0
    ? [
      ...new Set(
        strict.filter((t) => seconds > platformLimit(t) + 0.1).map((t) => platformName(t.service)),
      ),
    ]
      .join(" and ")
    : "YouTube and Twitch";
  return {
    kind: "keyframe_interval",
    targetId: null,
    message: `Keyframe interval is ${formatSeconds(seconds)} s; ${who} accept at most ${
      formatSeconds(limit)
    } s: set Keyframe Interval to 2 s in OBS (Settings → Output).`,
  };
}

function platformLimit(target: WarningTarget): number {
  return findPlatform(target.service)?.maxKeyframeIntervalSecs ?? Infinity;
}

function platformName(service: string): string {
  return findPlatform(service)?.displayName.replace(/ \(.*\)$/, "") ?? service;
}

function formatSeconds(seconds: number): string {
  return String(Math.round(seconds * 10) / 10);
}

/** kbit/s of an FFmpeg bitrate string ("6000k", "8M", "128000"); 0 for "0k"/unparsable. */
export function bitrateKbps(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*$/.exec(value);
  if (!match) return 0;
  const n = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  return unit === "m" ? n * 1000 : unit === "k" ? n : n / 1000;
}
