/**
 * Regenerates the sequence-header fixtures beside this file (`headers/*.bin`): the first video
 * and audio sequence header tags of a one-frame FLV that this machine's FFmpeg encodes.
 * Run: `deno run -A services/encoder/flv/testdata/make_sequence_headers.ts`.
 */
import { FlvReader } from "../flv_reader.ts";
import { isSequenceHeader } from "../flv.ts";

const DIR = new URL("./headers/", import.meta.url).pathname;

const VIDEO: Record<string, string[]> = {
  "avc_1280x720_high": ["-s", "1280x720", "-profile:v", "high", "-level", "3.1"],
  "avc_1920x1080_main": ["-s", "1920x1080", "-profile:v", "main", "-level", "4.0"],
  "avc_854x480_baseline": ["-s", "854x480", "-profile:v", "baseline", "-level", "3.0"],
  "avc_1080x1920_high444": ["-s", "1080x1920", "-pix_fmt", "yuv444p", "-profile:v", "high444"],
  "avc_1920x1080_interlaced": ["-s", "1920x1080", "-flags", "+ildct+ilme", "-x264opts", "tff=1"],
};

const AUDIO: Record<string, string[]> = {
  "aac_48000_stereo": ["-ar", "48000", "-ac", "2"],
  "aac_44100_mono": ["-ar", "44100", "-ac", "1"],
  "aac_32000_5.1": ["-ar", "32000", "-ac", "6"],
};

async function firstHeader(args: string[], type: "audio" | "video"): Promise<Uint8Array> {
  const child = new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", ...args, "-f", "flv", "pipe:1"],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let found: Uint8Array | null = null;
  for await (const tag of new FlvReader(child.stdout)) {
    if (!found && tag.type === type && isSequenceHeader(tag)) found = tag.payload;
  }
  await child.status;
  if (!found) throw new Error(`no ${type} sequence header from ffmpeg ${args.join(" ")}`);
  return found;
}

/** FFmpeg 5 cannot put HEVC into FLV: take the hvcC box of an MP4, as a legacy FLV tag body. */
async function hevcHeader(size: string): Promise<Uint8Array> {
  const mp4 = await Deno.makeTempFile({ suffix: ".mp4" });
  try {
    const { success } = await new Deno.Command("ffmpeg", {
      args: [
        ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
        ...["-i", `testsrc2=size=${size}:rate=30`, "-frames:v", "1", "-c:v", "libx265"],
        ...["-x265-params", "log-level=error", "-an", mp4],
      ],
    }).output();
    if (!success) throw new Error("ffmpeg could not encode HEVC");
    const bytes = await Deno.readFile(mp4);
    const at = new TextDecoder("latin1").decode(bytes).indexOf("hvcC");
    const length = new DataView(bytes.buffer, at - 4, 4).getUint32(0);
    return new Uint8Array([0x1c, 0, 0, 0, 0, ...bytes.subarray(at + 4, at - 4 + length)]);
  } finally {
    await Deno.remove(mp4);
  }
}

await Deno.mkdir(DIR, { recursive: true });
await Deno.writeFile(`${DIR}hevc_1920x1080_main.bin`, await hevcHeader("1920x1080"));
for (const [name, extra] of Object.entries(VIDEO)) {
  const [size, ...rest] = [extra[1]!, ...extra.slice(2)];
  const bytes = await firstHeader([
    ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=30`, "-frames:v", "1"],
    ...["-c:v", "libx264", "-preset", "veryfast", ...rest, "-an"],
  ], "video");
  await Deno.writeFile(`${DIR}${name}.bin`, bytes);
}
for (const [name, extra] of Object.entries(AUDIO)) {
  const bytes = await firstHeader([
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "0.1"],
    ...["-c:a", "aac", ...extra, "-vn"],
  ], "audio");
  await Deno.writeFile(`${DIR}${name}.bin`, bytes);
}
