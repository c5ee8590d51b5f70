import { requireBinary } from "@spiritstream/testing";

/** What ffprobe says of a recorded file. */
export interface ProbedFile {
  duration: number;
  codecs: string[];
  /** Per stream type: the duration ffprobe reports for it. */
  streams: { type: string; duration: number }[];
}

/** `ffprobe -show_format -show_streams` of a local file. */
export async function probeFile(path: string): Promise<ProbedFile> {
  const ffprobe = requireBinary("ffprobe", { pkg: "ffmpeg" });
  const { code, stdout, stderr } = await new Deno.Command(ffprobe, {
    args: ["-v", "error", "-show_format", "-show_streams", "-of", "json", path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) throw new Error(`ffprobe: ${new TextDecoder().decode(stderr)}`);
  const json = JSON.parse(new TextDecoder().decode(stdout)) as {
    format: { duration?: string };
    streams: { codec_type: string; codec_name: string; duration?: string }[];
  };
  return {
    duration: Number(json.format.duration ?? 0),
    codecs: json.streams.map((s) => `${s.codec_type}:${s.codec_name}`),
    streams: json.streams.map((s) => ({ type: s.codec_type, duration: Number(s.duration ?? 0) })),
  };
}

/** Decodes the whole file (`ffmpeg -v error -i … -f null -`); returns FFmpeg's complaints. */
export async function decodeErrors(path: string): Promise<string> {
  const ffmpeg = requireBinary("ffmpeg");
  const { code, stderr } = await new Deno.Command(ffmpeg, {
    args: ["-v", "error", "-i", path, "-f", "null", "-"],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr).trim();
  return code === 0 ? text : `exit ${code}: ${text}`;
}
