import type { OutputGroup } from "@spiritstream/contracts";
import { audioEncoderArgs, videoEncoderArgs } from "../ffmpeg/mod.ts";
import type { IngestAddress, IngestSpec } from "./parse_ingest.ts";

const COMMON = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning"];
/** Progress blocks once a second on stderr (parsed by ProgressParser). */
const PROGRESS = ["-stats_period", "1", "-progress", "pipe:2"];
/** FLV on stdout, written packet by packet (no seeking back to patch the header). */
const FLV_OUT = ["-f", "flv", "-flvflags", "no_duration_filesize", "-flush_packets", "1", "pipe:1"];
/** Our hub hands FFmpeg metadata and sequence headers first, so a short probe is enough. */
const FLV_IN = [
  "-analyzeduration",
  "1000000",
  "-probesize",
  "1000000",
  "-f",
  "flv",
  "-i",
  "pipe:0",
];

/** Whether a group is passthrough: video and audio both `copy` (a half copy is re-encoded). */
export function isPassthrough(group: Pick<OutputGroup, "video" | "audio">): boolean {
  return group.video.codec.trim().toLowerCase() === "copy" &&
    group.audio.codec.trim().toLowerCase() === "copy";
}

/**
 * The ONE encode of a re-encode group: FLV from the ingest hub on stdin, FLV to the group's own
 * hub on stdout (targets are our RTMP pushes, so no key ever reaches FFmpeg's argv). Throws
 * invalid_argument for bad video/audio settings.
 */
export function reencodeArgs(
  group: Pick<OutputGroup, "video" | "audio" | "generatePts">,
): string[] {
  const video = videoEncoderArgs(group.video);
  const audio = audioEncoderArgs(group.audio);
  const audioCopy = audio[1] === "copy";
  return [
    ...COMMON,
    ...PROGRESS,
    ...video.inputArgs,
    "-fflags",
    group.generatePts ? "+genpts+discardcorrupt" : "+discardcorrupt",
    ...FLV_IN,
    // "?" keeps an audio-only or video-only ingest working instead of failing the group.
    ...["-map", "0:v:0?", "-map", "0:a:0?"],
    ...(video.filters.length > 0 ? ["-vf", video.filters.join(",")] : []),
    ...video.outputArgs,
    ...audio,
    // Pads or trims audio to its timestamps, so A/V stay in sync across publisher reconnects.
    ...(group.generatePts && !audioCopy ? ["-af", "aresample=async=1"] : []),
    ...FLV_OUT,
  ];
}

/** One SRT target: remux the group's FLV to MPEG-TS and send it (the key is in the URL). */
export function srtTargetArgs(url: string): string[] {
  return [
    ...COMMON,
    ...PROGRESS,
    ...FLV_IN,
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"],
    ...["-f", "mpegts", url],
  ];
}

/** The SRT ingest: listen for one caller, remux to FLV on stdout for the hub. */
export function srtIngestArgs(address: IngestAddress, spec: IngestSpec): string[] {
  const query = new URLSearchParams([["mode", "listener"], ...address.srtOptions]);
  // FFmpeg's libsrt takes latency in microseconds.
  if (typeof spec.srtLatencyMs === "number") query.set("latency", String(spec.srtLatencyMs * 1000));
  if (spec.srtPassphrase) query.set("passphrase", spec.srtPassphrase);
  return [
    ...COMMON,
    ...["-analyzeduration", "2000000", "-fflags", "+discardcorrupt"],
    ...["-i", `${address.url}?${query}`],
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"],
    ...FLV_OUT,
  ];
}
