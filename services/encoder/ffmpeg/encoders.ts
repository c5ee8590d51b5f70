import { AppError } from "@spiritstream/contracts";
import {
  AUDIO_ENCODER_CANDIDATES,
  type EncoderFamily,
  VIDEO_ENCODER_CANDIDATES,
  type VideoEncoderCandidate,
} from "./encoder_family.ts";
import { videoEncoderArgs } from "./encoder_args.ts";
import { runCommand } from "./run_command.ts";

/** One line of `ffmpeg -encoders`. */
export interface ListedEncoder {
  name: string;
  type: "video" | "audio" | "subtitle";
  description: string;
}

const TYPES = { V: "video", A: "audio", S: "subtitle" } as const;
const ENCODER_LINE = /^\s*([VAS])[A-Z.]{5}\s+(\S+)\s+(.*?)\s*$/;

/**
 * Parses `ffmpeg -encoders` output. Only lines after the "------" rule count, so the legend
 * above it (" V..... = Video") is never mistaken for an encoder.
 */
export function parseEncoderList(stdout: string): ListedEncoder[] {
  const lines = stdout.split(/\r?\n/);
  const rule = lines.findIndex((line) => /^\s*-{6}\s*$/.test(line));
  const body = rule >= 0 ? lines.slice(rule + 1) : lines;
  const encoders: ListedEncoder[] = [];
  for (const line of body) {
    const match = ENCODER_LINE.exec(line);
    if (!match || match[2] === "=") continue;
    const type = TYPES[match[1] as keyof typeof TYPES];
    encoders.push({ name: match[2] as string, type, description: match[3] ?? "" });
  }
  return encoders;
}

/** Why an encoder is, or is not, offered. */
export interface EncoderReportEntry {
  name: string;
  /** The argument family; audio encoders are "audio". */
  family: EncoderFamily | "audio";
  kind: "hardware" | "software";
  available: boolean;
  /** A sentence for humans: what was tried and what happened. */
  reason: string;
}

/** `get_encoders`'s lists plus the report behind them. */
export interface DetectedEncoders {
  video: string[];
  audio: string[];
  report: EncoderReportEntry[];
}

/** Options for {@linkcode detectEncoders}. */
export interface DetectEncodersOptions {
  /** Per trial encode; a trial still running then is killed. @default 15000 */
  timeoutMs?: number;
  /** For `ffmpeg -encoders`. @default 15000 */
  listTimeoutMs?: number;
  /** @default "/dev/dri/renderD128" */
  vaapiDevice?: string;
  /** Trial-encode software encoders too (cheap, and proves our arguments). @default true */
  trialSoftware?: boolean;
  /** Trials running at once. @default 2 */
  concurrency?: number;
  /** Ends the detection: running trials are killed, none starts after. */
  signal?: AbortSignal;
}

const NOT_COMPILED = "not compiled into this FFmpeg (absent from ffmpeg -encoders)";
const TRIAL_OK = "listed by FFmpeg and a trial encode into FLV (what an output group sends) " +
  "succeeded";
/** FFmpeg refusing the codec in the container: the encoder works, its output cannot be sent. */
const MUX_REFUSED =
  /codec (\S+) not compatible with (\w+)|Could not find tag for codec (\S+).*not currently supported in container/i;
/** FFmpeg's generic follow-up lines; the useful cause is the line before them. */
const GENERIC_LINE =
  /^(Error initializing output stream|Error while opening encoder|Conversion failed|Device creation failed|Error parsing global options|Failed to set value|Error reinitializing filters|Failed to inject frame|Error while processing|Error splitting the argument list|Error opening output|Error while filtering|Error sending frames|Nothing was written|Could not open encoder before EOF|Task finished with error|Terminating thread|can't configure encoder)/i;
const LOG_PREFIX = /^(\[[^\]]+ @ (0x)?[0-9a-f]+\]\s*)+/i;
/** Library chatter that reaches stderr whatever -loglevel says ("Svt[info]:", "x265 [info]:"). */
const LIBRARY_CHATTER = /^\S+ ?\[(info|warn|warning)\]:/i;

/** The most specific stderr line of a failed trial ("Cannot load libcuda.so.1"). */
export function trialFailureCause(stderr: string, code: number): string {
  const lines = stderr.split(/\r?\n/)
    .map((line) => line.replace(LOG_PREFIX, "").trim())
    .filter((line) => line !== "" && !LIBRARY_CHATTER.test(line));
  const cause = lines.find((line) => !GENERIC_LINE.test(line)) ?? lines[0] ??
    `FFmpeg exited with code ${code}`;
  const short = cause.replace(/[.:]\s*$/, "");
  return short.length > 160 ? `${short.slice(0, 157)}...` : short;
}

interface Trial {
  ok: boolean;
  detail: string;
}

async function trialEncode(
  ffmpegPath: string,
  candidate: VideoEncoderCandidate,
  options: { timeoutMs: number; vaapiDevice?: string; signal?: AbortSignal },
): Promise<Trial> {
  const args = videoEncoderArgs(
    {
      codec: candidate.name,
      width: 256,
      height: 256,
      fps: 30,
      bitrate: "1000k",
      keyframeIntervalSeconds: 1,
    },
    { vaapiDevice: options.vaapiDevice },
  );
  let result;
  try {
    result = await runCommand(ffmpegPath, [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "error",
      ...args.inputArgs,
      "-f",
      "lavfi",
      "-i",
      "color=black:s=256x256:r=30",
      "-frames:v",
      "5",
      "-vf",
      args.filters.join(","),
      ...args.outputArgs,
      "-an",
      // The container a group really writes (its encoder's output is FLV, SRT targets remux it),
      // so an encoder whose codec FLV cannot carry (HEVC on FFmpeg < 6.1) is not called working.
      "-f",
      "flv",
      "pipe:1",
      // Some encoders (libsvtav1) hang in their teardown after the muxer refused their codec.
    ], { timeoutMs: options.timeoutMs, stopWhen: MUX_REFUSED, signal: options.signal });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: `listed by FFmpeg but the trial encode could not start: ${why}` };
  }
  if (result.timedOut) {
    return {
      ok: false,
      detail: `listed by FFmpeg but the trial encode did not finish within ${
        options.timeoutMs / 1000
      } s and was stopped`,
    };
  }
  const muxRefused = result.success ? null : MUX_REFUSED.exec(result.stderr);
  if (muxRefused) {
    const codec = (muxRefused[1] ?? muxRefused[3] ?? "its codec").toUpperCase();
    return {
      ok: false,
      detail: `encodes, but this FFmpeg cannot put ${codec} into FLV, which output groups ` +
        `send (RTMP, and SRT remuxed from it): ${trialFailureCause(result.stderr, result.code)}`,
    };
  }
  if (!result.success) {
    return {
      ok: false,
      detail: `listed by FFmpeg but failed to open: ${
        trialFailureCause(result.stderr, result.code)
      }`,
    };
  }
  return { ok: true, detail: TRIAL_OK };
}

async function mapLimit<T, R>(
  items: readonly T[],
  fn: (item: T) => Promise<R>,
  { limit }: { limit: number },
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

async function listEncoders(
  ffmpegPath: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ListedEncoder[]> {
  let result;
  try {
    result = await runCommand(ffmpegPath, ["-hide_banner", "-nostdin", "-encoders"], {
      timeoutMs,
      signal,
    });
  } catch (error) {
    throw new AppError(
      "failed_precondition",
      `Cannot run FFmpeg at ${ffmpegPath}: ${error instanceof Error ? error.message : error}`,
      { cause: error },
    );
  }
  if (!result.success) {
    const why = result.timedOut
      ? `it did not finish within ${timeoutMs / 1000} s`
      : trialFailureCause(result.stderr, result.code);
    throw new AppError(
      "failed_precondition",
      `FFmpeg at ${ffmpegPath} could not list its encoders: ${why}`,
    );
  }
  return parseEncoderList(result.stdout);
}

async function checkCandidate(
  ffmpegPath: string,
  candidate: VideoEncoderCandidate,
  context: {
    timeoutMs: number;
    trialSoftware: boolean;
    listedVideo: Set<string>;
    vaapiDevice?: string;
  },
): Promise<EncoderReportEntry> {
  const entry = { name: candidate.name, family: candidate.family, kind: candidate.kind };
  if (!context.listedVideo.has(candidate.name)) {
    return { ...entry, available: false, reason: NOT_COMPILED };
  }
  if (candidate.kind === "software" && !context.trialSoftware) {
    return {
      ...entry,
      available: true,
      reason: "listed by FFmpeg (software encoder, kept without a trial encode)",
    };
  }
  const trial = await trialEncode(ffmpegPath, candidate, context);
  return { ...entry, available: trial.ok, reason: trial.detail };
}

/**
 * `get_encoders`: which of our candidate encoders this FFmpeg can really use. Every listed
 * hardware encoder must pass a short trial encode (5 frames of 256x256 with the same arguments a
 * stream would get), because FFmpeg lists encoders compiled in whether or not a GPU and driver
 * exist (h264_nvenc without libcuda, for instance). Trials run two at a time, each killed after
 * `timeoutMs`. The `report` says for every candidate why it was kept or excluded. If no video
 * encoder survives but libx264 is listed, libx264 is kept as the fallback; if not even that, the
 * video list is empty and the report explains.
 */
export async function detectEncoders(
  ffmpegPath: string,
  options: DetectEncodersOptions = {},
): Promise<DetectedEncoders> {
  const { timeoutMs = 15_000, listTimeoutMs = 15_000, trialSoftware = true, concurrency = 2 } =
    options;
  const listed = await listEncoders(ffmpegPath, listTimeoutMs, options.signal);
  const listedVideo = new Set(listed.filter((e) => e.type === "video").map((e) => e.name));
  const listedAudio = new Set(listed.filter((e) => e.type === "audio").map((e) => e.name));

  const videoReport = await mapLimit(
    VIDEO_ENCODER_CANDIDATES,
    (candidate) =>
      checkCandidate(ffmpegPath, candidate, { ...options, timeoutMs, trialSoftware, listedVideo }),
    { limit: concurrency },
  );
  // Trials killed by the abort read as failures: a detection cut short is no result.
  options.signal?.throwIfAborted();

  if (!videoReport.some((entry) => entry.available)) {
    const x264 = videoReport.find((entry) => entry.name === "libx264");
    if (x264 && listedVideo.has("libx264")) {
      x264.available = true;
      x264.reason = `${x264.reason}; kept anyway as the fallback so the video list is not empty`;
    }
  }

  const audioReport = AUDIO_ENCODER_CANDIDATES.map((name): EncoderReportEntry => ({
    name,
    family: "audio",
    kind: "software",
    available: listedAudio.has(name),
    reason: listedAudio.has(name) ? "listed by FFmpeg (software encoder)" : NOT_COMPILED,
  }));

  return {
    video: videoReport.filter((entry) => entry.available).map((entry) => entry.name),
    audio: audioReport.filter((entry) => entry.available).map((entry) => entry.name),
    report: [...videoReport, ...audioReport],
  };
}
