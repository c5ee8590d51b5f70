import type { OutputGroup } from "@spiritstream/contracts";
import { audioEncoderArgs, videoEncoderArgs } from "./encoder_args.ts";

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

/**
 * One SRT target: remux the group's FLV to MPEG-TS on stdout; we send it over SRT ourselves,
 * so the URL (stream id, passphrase) never reaches FFmpeg's argv.
 */
export function srtTargetArgs(): string[] {
  return [
    ...COMMON,
    ...FLV_IN,
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"],
    ...["-f", "mpegts", "-flush_packets", "1", "pipe:1"],
  ];
}

/** The SRT ingest: MPEG-TS we received over SRT on stdin, remuxed to FLV on stdout for the hub. */
export function srtIngestArgs(): string[] {
  return [
    ...COMMON,
    // A new caller's media reaches the hub about this much (plus the SRT latency) after it
    // connects: the TS demuxer reads this long whatever it found. 0.5 s still finds the audio
    // of FFmpeg's and OBS's TS (whose muxer lets audio trail video by up to ~0.35 s) and keeps
    // a returning caller live within 1 s; shorter risks a stream without audio.
    ...["-analyzeduration", "500000", "-fflags", "+discardcorrupt"],
    ...["-f", "mpegts", "-i", "pipe:0"],
    ...["-map", "0:v:0?", "-map", "0:a:0?", "-c", "copy"],
    ...FLV_OUT,
  ];
}
