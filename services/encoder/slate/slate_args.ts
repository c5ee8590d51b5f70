import { AppError, type IngestMedia, type StandbySettings } from "@spiritstream/contracts";

/** What the slate must look like to the platforms: the last input's format. */
export interface SlateFormat {
  width: number;
  height: number;
  fps: number;
  /** x264 profile ("high", "main", "baseline"). */
  profile: string;
  /** e.g. "4.1"; null lets x264 choose. */
  level: string | null;
  /** Seconds between keyframes. */
  gopSecs: number;
  audio: { codec: "aac" | "mp3"; sampleRate: number; channels: number } | null;
}

/** Used when the input never said (no sequence header read yet). */
const FALLBACK = { width: 1280, height: 720, fps: 30, sampleRate: 48_000, channels: 2 };
const X264_PROFILES: Record<string, string> = {
  baseline: "baseline",
  "constrained baseline": "baseline",
  main: "main",
  high: "high",
};
const FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/**
 * The slate's format from the last input's sequence headers. H.264 only (FFmpeg's FLV muxer
 * before 6.1 cannot write HEVC); throws `failed_precondition` naming the codec otherwise.
 */
export function slateFormat(media: IngestMedia | null): SlateFormat {
  const video = media?.video;
  if (video && video.codec !== "H.264") {
    throw new AppError(
      "failed_precondition",
      `No standby slate for ${video.codec} input: the slate is encoded as H.264 only`,
    );
  }
  const audio = media?.audio;
  const profile = X264_PROFILES[(video?.profile ?? "high").toLowerCase()] ?? "high";
  const fps = video?.fps && video.fps > 0 ? Math.min(Math.round(video.fps), 120) : FALLBACK.fps;
  return {
    width: even(video?.width ?? FALLBACK.width),
    height: even(video?.height ?? FALLBACK.height),
    fps,
    profile,
    level: video?.level && /^\d(\.\d)?$/.test(video.level) ? video.level : null,
    gopSecs: clampGop(video?.keyframeIntervalSecs ?? 2),
    audio: audio === null ? null : {
      codec: audio?.codec === "MP3" ? "mp3" : "aac",
      sampleRate: audio?.sampleRate ?? FALLBACK.sampleRate,
      channels: Math.min(Math.max(audio?.channels ?? FALLBACK.channels, 1), 2),
    },
  };
}

/**
 * Seconds of slate rendered once and then looped: whole GOPs, so every loop starts with a
 * keyframe; with an audio file long enough for a jingle (it restarts with every loop).
 */
export function loopSeconds(format: SlateFormat, withAudioFile: boolean): number {
  const wanted = withAudioFile ? 10 : 2;
  const gops = Math.max(1, Math.ceil(wanted / format.gopSecs));
  // Whole frames too: the loop's length is exactly frames × frame duration.
  const frames = Math.round(gops * format.gopSecs * format.fps);
  return frames / format.fps;
}

/** Where the slate's pictures and sound come from (paths already checked). */
export interface SlateInputs {
  settings: StandbySettings;
  /** Resolved image path (mode "image"). */
  imagePath?: string | null;
  /** Resolved audio path; absent: silence. */
  audioPath?: string | null;
  /** Files holding the card's title and message (mode "card"); plain temp-dir paths. */
  card?: CardTextFiles;
}

/** The card's text files (see {@linkcode writeCardText}). */
export interface CardTextFiles {
  title: string;
  message: string;
}

/** Writes the card's title and message into `dir` (control characters become spaces). */
export async function writeCardText(
  dir: string,
  settings: StandbySettings,
): Promise<CardTextFiles> {
  // deno-lint-ignore no-control-regex
  const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f]/g, " ");
  const files = { title: `${dir}/title.txt`, message: `${dir}/message.txt` };
  await Deno.writeTextFile(files.title, clean(settings.title || "Stream"));
  await Deno.writeTextFile(files.message, clean(settings.message));
  return files;
}

/**
 * FFmpeg arguments that write `seconds` of the slate as FLV to stdout, as fast as FFmpeg can
 * (the slate is rendered once and looped, see `SlateLoop`).
 */
export function slateArgs(format: SlateFormat, inputs: SlateInputs, seconds: number): string[] {
  const { width: w, height: h, fps } = format;
  const gop = String(Math.max(1, Math.round(fps * format.gopSecs)));
  const fit = `scale=${w}:${h}:force_original_aspect_ratio=decrease,` +
    `pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p`;
  const video = inputs.settings.mode === "image" && inputs.imagePath
    ? ["-loop", "1", "-framerate", String(fps), "-i", inputs.imagePath]
    : ["-f", "lavfi", "-i", `color=c=0x14161c:s=${w}x${h}:r=${fps}`];
  const filter = inputs.card ? `${cardText(inputs.card, h)},${fit}` : fit;
  const args = [
    ...["-hide_banner", "-nostdin", "-loglevel", "error"],
    ...video,
    ...audioInput(format, inputs.audioPath ?? null),
    ...["-map", "0:v:0", ...(format.audio ? ["-map", "1:a:0"] : [])],
    ...["-vf", filter, "-r", String(fps)],
    ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage"],
    ...["-profile:v", format.profile, ...(format.level ? ["-level:v", format.level] : [])],
    ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-bf", "0"],
    ...["-b:v", "500k", "-maxrate", "1000k", "-bufsize", "1000k"],
  ];
  if (format.audio) {
    const a = format.audio;
    args.push("-c:a", a.codec === "mp3" ? "libmp3lame" : "aac", "-b:a", "128k");
    args.push("-ar", String(a.sampleRate), "-ac", String(a.channels));
  }
  args.push("-t", String(seconds), "-flvflags", "no_duration_filesize", "-f", "flv", "pipe:1");
  return args;
}

function audioInput(format: SlateFormat, audioPath: string | null): string[] {
  if (!format.audio) return [];
  if (audioPath) return ["-stream_loop", "-1", "-i", audioPath];
  const layout = format.audio.channels === 1 ? "mono" : "stereo";
  return ["-f", "lavfi", "-i", `anullsrc=r=${format.audio.sampleRate}:cl=${layout}`];
}

/** The built-in card: the title (the profile's name) large, the message below it. */
function cardText(files: CardTextFiles, height: number): string {
  const big = Math.max(12, Math.round(height / 12));
  const small = Math.max(10, Math.round(height / 24));
  const title = drawtext(files.title, big, `(h/2)-${big}`);
  const message = drawtext(files.message, small, `(h/2)+${Math.round(small / 2)}`);
  return `${title},${message}`;
}

// Text from files, not the filter graph: no character of a title can end an option or the graph.
function drawtext(file: string, size: number, y: string): string {
  return `drawtext=fontfile=${FONT}:textfile=${file}:expansion=none:fontsize=${size}:` +
    `fontcolor=white:x=(w-text_w)/2:y=${y}`;
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

function clampGop(secs: number): number {
  return Math.min(Math.max(secs, 0.5), 10);
}
