import { AppError } from "@spiritstream/contracts";
import { type VideoEncoderCandidate, videoEncoderCandidate } from "./encoder_family.ts";
import { formatBitrate, parseBitrate } from "./parse_bitrate.ts";

/** What a group asks of its video encoder (the `VideoSettings` of an output group). */
export interface VideoEncodeSettings {
  /** `copy` or an FFmpeg encoder name from the candidate table. */
  codec: string;
  width: number;
  height: number;
  fps: number;
  /** "6000k", "8M", "2.5M". */
  bitrate: string;
  preset?: string | null;
  /** baseline, main or high; HEVC always gets main, AV1 gets none. */
  profile?: string | null;
  keyframeIntervalSeconds?: number | null;
}

/** Options for {@linkcode videoEncoderArgs}. */
export interface VideoEncoderArgsOptions {
  /** The VAAPI render node. @default "/dev/dri/renderD128" */
  vaapiDevice?: string;
}

/**
 * FFmpeg arguments for one video encoding, in three places: before `-i` (hardware device
 * set-up), the `-vf` chain (scaling, pixel format, upload), and after the input.
 */
export interface VideoEncoderArgs {
  inputArgs: string[];
  /** Join with "," for `-vf`; empty for copy. */
  filters: string[];
  outputArgs: string[];
}

/** What a group asks of its audio encoder (the `AudioSettings` of an output group). */
export interface AudioEncodeSettings {
  codec: string;
  bitrate: string;
  channels: number;
  sampleRate: number;
}

const DEFAULT_VAAPI_DEVICE = "/dev/dri/renderD128";
const VIDEO_BITRATE = { min: 100_000, max: 500_000_000 };
const AUDIO_BITRATE = { min: 8_000, max: 1_024_000 };

/* Presets. The UI offers x264 names, p1-p7 (NVENC) and quality/balanced/speed (AMF), and keeps
 * the value when the user switches codec, so every family maps the whole vocabulary. */
const X264_LADDER = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow",
  "placebo",
];
const LOW_LATENCY = new Set(["low_latency", "low-latency", "lowlatency"]);
const X264_ALIASES: Record<string, string> = {
  quality: "slow",
  balanced: "medium",
  performance: "fast",
  speed: "fast",
  p1: "ultrafast",
  p2: "superfast",
  p3: "veryfast",
  p4: "medium",
  p5: "slow",
  p6: "slower",
  p7: "veryslow",
};
/** NVENC's own names (FFmpeg's `-h encoder=h264_nvenc`), passed through as SpiritStream does. */
const NVENC_NATIVE = new Set([
  "p1",
  "p2",
  "p3",
  "p4",
  "p5",
  "p6",
  "p7",
  "default",
  "slow",
  "medium",
  "fast",
  "hp",
  "hq",
  "bd",
  "ll",
  "llhq",
  "llhp",
  "lossless",
  "losslesshp",
]);
/** SpiritStream §5.4's mapping of the other names onto p1-p7. */
const NVENC_FROM: Record<string, string> = {
  ultrafast: "p1",
  superfast: "p2",
  veryfast: "p3",
  faster: "p4",
  slower: "p6",
  veryslow: "p7",
  placebo: "p7",
  quality: "p7",
  balanced: "p4",
  performance: "p2",
  speed: "p2",
};
/** FFmpeg's QSV encoders know veryfast..veryslow only. */
const QSV_FROM_X264: Record<string, string> = {
  ultrafast: "veryfast",
  superfast: "veryfast",
  placebo: "veryslow",
};
/** SVT-AV1 presets run 0 (slowest) to 13 (fastest). */
const SVTAV1_FROM_X264: Record<string, number> = {
  ultrafast: 12,
  superfast: 11,
  veryfast: 10,
  faster: 9,
  fast: 8,
  medium: 7,
  slow: 5,
  slower: 4,
  veryslow: 2,
  placebo: 0,
};

function x264PresetName(raw: string): string | undefined {
  if (X264_LADDER.includes(raw)) return raw;
  if (LOW_LATENCY.has(raw)) return "ultrafast";
  return X264_ALIASES[raw];
}

function unknownPreset(raw: string, encoder: VideoEncoderCandidate): AppError {
  const extra = encoder.family === "nvenc"
    ? ", or an NVENC name (hq, ll, llhq, ...)"
    : encoder.family === "svtav1"
    ? ", or a number from 0 to 13"
    : "";
  return new AppError(
    "invalid_argument",
    `Invalid argument "video.preset": "${raw}" is not a preset ${encoder.name} understands; use ` +
      `ultrafast to veryslow, p1 to p7, quality, balanced, speed, performance or low_latency${extra}`,
  );
}

function presetArgs(preset: string | null | undefined, encoder: VideoEncoderCandidate): string[] {
  const raw = (preset ?? "").trim().toLowerCase();
  if (raw === "") return [];
  const { family } = encoder;
  if (family === "nvenc") {
    if (NVENC_NATIVE.has(raw)) return ["-preset", raw];
    const mapped = LOW_LATENCY.has(raw) ? "p1" : NVENC_FROM[raw];
    if (!mapped) throw unknownPreset(raw, encoder);
    return ["-preset", mapped];
  }
  if (family === "svtav1" && /^\d{1,2}$/.test(raw) && Number(raw) <= 13) {
    return ["-preset", String(Number(raw))];
  }
  const name = x264PresetName(raw);
  if (!name) throw unknownPreset(raw, encoder);
  switch (family) {
    case "x264":
    case "x265":
      return ["-preset", name];
    case "svtav1":
      return ["-preset", String(SVTAV1_FROM_X264[name])];
    case "qsv":
      return ["-preset", QSV_FROM_X264[name] ?? name];
    case "amf": {
      if (LOW_LATENCY.has(raw)) return ["-quality", "speed", "-usage", "lowlatency"];
      const rank = X264_LADDER.indexOf(name);
      const quality = rank <= X264_LADDER.indexOf("fast")
        ? "speed"
        : name === "medium"
        ? "balanced"
        : "quality";
      return ["-quality", quality];
    }
    default:
      // VAAPI, VideoToolbox and V4L2 M2M have no preset option FFmpeg documents across drivers.
      return [];
  }
}

/* Profiles: the UI sends baseline/main/high (default high) whatever the codec. */
const H264_PROFILES = ["baseline", "main", "high"];
const V4L2_H264_PROFILE: Record<string, string> = { baseline: "66", main: "77", high: "100" };

function profileArgs(profile: string | null | undefined, encoder: VideoEncoderCandidate): string[] {
  const raw = (profile ?? "").trim().toLowerCase();
  if (raw === "") return [];
  if (!H264_PROFILES.includes(raw)) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "video.profile": must be baseline, main or high (got "${
        raw.slice(0, 20)
      }")`,
    );
  }
  // AV1 encoders pick the profile from the pixel format; no flag means no invalid value.
  if (encoder.codec === "av1") return [];
  if (encoder.codec === "hevc") {
    // HEVC has no baseline/high profile: 8-bit 4:2:0 is Main. FFmpeg's V4L2 wrapper maps H.264
    // profiles only, so it gets none.
    return encoder.family === "v4l2m2m" ? [] : ["-profile:v", "main"];
  }
  switch (encoder.family) {
    case "vaapi":
    case "amf":
      return ["-profile:v", raw === "baseline" ? "constrained_baseline" : raw];
    case "v4l2m2m":
      // its generic -profile option takes the numeric profile_idc only
      return ["-profile:v", V4L2_H264_PROFILE[raw] ?? "100"];
    default:
      return ["-profile:v", raw];
  }
}

function keyframeArgs(
  encoder: VideoEncoderCandidate,
  { seconds, fps }: { seconds: number; fps: number },
): string[] {
  const gop = String(fps * seconds);
  switch (encoder.family) {
    case "x264":
      return ["-g", gop, "-keyint_min", gop, "-sc_threshold", "0"];
    case "x265":
      // scene-cut insertion is switched off in -x265-params (libx265 ignores -sc_threshold)
      return ["-g", gop, "-keyint_min", gop];
    default: {
      const forced = ["-force_key_frames", `expr:gte(t,n_forced*${seconds})`];
      // forced key frames must be IDR, or a viewer joining there cannot start decoding
      if (encoder.family === "nvenc") forced.push("-forced-idr", "1");
      if (encoder.family === "qsv") forced.push("-forced_idr", "1");
      return ["-g", gop, ...forced];
    }
  }
}

function rateControlArgs(
  encoder: VideoEncoderCandidate,
  { bps, fixedGop }: { bps: number; fixedGop: boolean },
): string[] {
  const rate = formatBitrate(bps);
  const buffer = formatBitrate(bps * 2);
  if (encoder.family === "svtav1") {
    // SVT-AV1 rejects a max bitrate equal to the target (it is a capped-CRF setting); its CBR
    // mode is rc=2 and needs the low-delay prediction structure.
    return ["-b:v", rate, "-bufsize", buffer, "-svtav1-params", "rc=2:pred-struct=1"];
  }
  const cbr = ["-b:v", rate, "-minrate", rate, "-maxrate", rate, "-bufsize", buffer];
  switch (encoder.family) {
    case "nvenc":
    case "amf":
      return [...cbr, "-rc", "cbr"];
    case "vaapi":
      return [...cbr, "-rc_mode", "CBR"];
    case "x264":
      return [...cbr, "-x264-params", "nal-hrd=cbr:force-cfr=1"];
    case "x265":
      return [...cbr, "-x265-params", fixedGop ? "nal-hrd=cbr:scenecut=0" : "nal-hrd=cbr"];
    case "videotoolbox":
      // allow_sw 0: never fall back silently to Apple's software encoder
      return [...cbr, "-realtime", "1", "-allow_sw", "0"];
    default:
      // QSV selects CBR itself when -maxrate equals -b:v (it has no -rc option); V4L2 M2M only
      // takes a target bitrate.
      return cbr;
  }
}

function filterChain(
  encoder: VideoEncoderCandidate,
  { width, height }: { width: number; height: number },
): string[] {
  switch (encoder.family) {
    case "vaapi":
      // VAAPI encoders take GPU surfaces only: convert, upload, then scale on the GPU
      return ["format=nv12", "hwupload", `scale_vaapi=w=${width}:h=${height}`];
    case "qsv":
    case "amf":
    case "videotoolbox":
      // these take NV12 system-memory frames and upload them themselves; our input is decoded in
      // software, so a GPU scaler (scale_qsv) would need a device round trip for nothing
      return [`scale=${width}:${height}`, "format=nv12"];
    default:
      return [`scale=${width}:${height}`, "format=yuv420p"];
  }
}

function requireWholeNumber(
  value: unknown,
  field: string,
  rule: { min: number; max: number; even?: boolean },
): number {
  const ok = typeof value === "number" && Number.isInteger(value) && value >= rule.min &&
    value <= rule.max && (!rule.even || value % 2 === 0);
  if (!ok) {
    const what = rule.even ? "an even whole number" : "a whole number";
    throw new AppError(
      "invalid_argument",
      `Invalid argument "${field}": must be ${what} from ${rule.min} to ${rule.max} (got ${
        String(value)
      })`,
    );
  }
  return value as number;
}

function requireEncoder(codec: unknown): VideoEncoderCandidate {
  const encoder = typeof codec === "string" ? videoEncoderCandidate(codec) : undefined;
  if (!encoder) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "video.codec": "${
        String(codec).slice(0, 40)
      }" is not a video encoder SpiritStream supports; use copy, libx264, libx265, libsvtav1 or ` +
        "a hardware encoder (*_nvenc, *_qsv, *_vaapi, *_amf, *_videotoolbox, *_v4l2m2m)",
    );
  }
  return encoder;
}

/**
 * Maps a group's video settings onto FFmpeg arguments for the encoder's family: CBR rate control,
 * preset, profile, GOP and the filter chain the encoder needs. Throws invalid_argument naming the
 * offending `video.*` field.
 */
export function videoEncoderArgs(
  video: VideoEncodeSettings,
  options: VideoEncoderArgsOptions = {},
): VideoEncoderArgs {
  if (typeof video.codec === "string" && video.codec.trim().toLowerCase() === "copy") {
    return { inputArgs: [], filters: [], outputArgs: ["-c:v", "copy"] };
  }
  const encoder = requireEncoder(video.codec);
  const width = requireWholeNumber(video.width, "video.width", { min: 16, max: 8192, even: true });
  const height = requireWholeNumber(video.height, "video.height", {
    min: 16,
    max: 8192,
    even: true,
  });
  const fps = requireWholeNumber(video.fps, "video.fps", { min: 1, max: 240 });
  const bps = parseBitrate(video.bitrate, "video.bitrate", VIDEO_BITRATE);
  const keyframeSeconds = video.keyframeIntervalSeconds
    ? requireWholeNumber(video.keyframeIntervalSeconds, "video.keyframeIntervalSeconds", {
      min: 1,
      max: 60,
    })
    : 0;

  const inputArgs = encoder.family === "vaapi"
    ? ["-vaapi_device", options.vaapiDevice ?? DEFAULT_VAAPI_DEVICE]
    : [];
  const outputArgs = [
    "-c:v",
    encoder.name,
    ...rateControlArgs(encoder, { bps, fixedGop: keyframeSeconds > 0 }),
    "-r",
    String(fps),
    ...presetArgs(video.preset, encoder),
    ...profileArgs(video.profile, encoder),
    ...(keyframeSeconds > 0 ? keyframeArgs(encoder, { seconds: keyframeSeconds, fps }) : []),
    ...(encoder.kind === "software" ? ["-pix_fmt", "yuv420p"] : []),
  ];
  return { inputArgs, filters: filterChain(encoder, { width, height }), outputArgs };
}

const AUDIO_SAMPLE_RATES: Record<string, number[]> = {
  // libopus encodes at these rates only (FFmpeg rejects 44100 outright)
  libopus: [48_000, 24_000, 16_000, 12_000, 8_000],
  libmp3lame: [48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000],
};
const AUDIO_MAX_CHANNELS: Record<string, number> = { aac: 8, libopus: 8, libmp3lame: 2 };

/**
 * Maps a group's audio settings onto `-c:a … -b:a … -ac … -ar …` (or `-c:a copy`). Throws
 * invalid_argument naming the offending `audio.*` field.
 */
export function audioEncoderArgs(audio: AudioEncodeSettings): string[] {
  const codec = typeof audio.codec === "string" ? audio.codec.trim().toLowerCase() : "";
  if (codec === "copy") return ["-c:a", "copy"];
  const maxChannels = AUDIO_MAX_CHANNELS[codec];
  if (maxChannels === undefined) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "audio.codec": "${
        String(audio.codec).slice(0, 40)
      }" is not an audio encoder SpiritStream supports; use copy, aac, libopus or libmp3lame`,
    );
  }
  const bps = parseBitrate(audio.bitrate, "audio.bitrate", AUDIO_BITRATE);
  const channels = requireWholeNumber(audio.channels, "audio.channels", {
    min: 1,
    max: maxChannels,
  });
  const sampleRate = requireWholeNumber(audio.sampleRate, "audio.sampleRate", {
    min: 8_000,
    max: 192_000,
  });
  const allowed = AUDIO_SAMPLE_RATES[codec];
  if (allowed && !allowed.includes(sampleRate)) {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "audio.sampleRate": ${codec} accepts ${
        allowed.join(", ")
      } (got ${sampleRate})`,
    );
  }
  return [
    "-c:a",
    codec,
    "-b:a",
    formatBitrate(bps),
    "-ac",
    String(channels),
    "-ar",
    String(sampleRate),
  ];
}
