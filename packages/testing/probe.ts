import { requireBinary } from "./require_binary.ts";

/** What {@linkcode probe} found in a stream. */
export interface ProbeResult {
  video?: { codec: string; width: number; height: number; fps: number };
  audio?: { codec: string; sampleRate: number; channels: number };
}

/** Reads a few seconds of `url` with ffprobe (`-show_streams -of json`) and reports the codecs. */
export async function probe(
  url: string,
  options: { timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const { timeoutMs = 10_000 } = options;
  const ffprobe = requireBinary("ffprobe", { pkg: "ffmpeg" });
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const { code, stdout, stderr } = await new Deno.Command(ffprobe, {
    args: [
      ...["-hide_banner", "-v", "error", "-analyzeduration", "3000000", "-probesize", "5000000"],
      ...["-show_streams", "-of", "json", url],
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: abort.signal,
  }).output().finally(() => clearTimeout(timer));
  if (code !== 0) {
    const reason = new TextDecoder().decode(stderr).trim() || `exit code ${code}`;
    throw new Error(`ffprobe failed or timed out after ${timeoutMs} ms: ${reason}`);
  }
  const parsed = JSON.parse(new TextDecoder().decode(stdout)) as { streams?: FfprobeStream[] };
  const result: ProbeResult = {};
  for (const s of parsed.streams ?? []) {
    if (s.codec_type === "video" && !result.video) {
      result.video = {
        codec: s.codec_name ?? "",
        width: s.width ?? 0,
        height: s.height ?? 0,
        fps: rate(s.avg_frame_rate) || rate(s.r_frame_rate),
      };
    } else if (s.codec_type === "audio" && !result.audio) {
      result.audio = {
        codec: s.codec_name ?? "",
        sampleRate: Number(s.sample_rate ?? 0),
        channels: s.channels ?? 0,
      };
    }
  }
  return result;
}

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
}

function rate(text: string | undefined): number {
  const [num, den] = (text ?? "0/0").split("/").map(Number);
  return num && den ? Math.round((num / den) * 100) / 100 : 0;
}
