import { requireBinary } from "@spiritstream/testing";

/** The benchmark input: 1280x720 30 fps H.264 (x264 veryfast, GOP 2 s) at 4.5 Mbit/s + AAC. */
export const BENCH_CLIP = { width: 1280, height: 720, fps: 30, videoKbps: 4500, seconds: 30 };

/** The FFmpeg arguments that encode the benchmark clip (printed in BENCHMARKS.md). */
export function benchClipArgs(output: string): string[] {
  const { width, height, fps, videoKbps, seconds } = BENCH_CLIP;
  const gop = String(fps * 2);
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `testsrc2=size=${width}x${height}:rate=${fps}`],
    ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
    ...["-t", String(seconds), "-c:v", "libx264", "-preset", "veryfast"],
    ...["-g", gop, "-keyint_min", gop, "-sc_threshold", "0", "-pix_fmt", "yuv420p"],
    ...["-b:v", `${videoKbps}k`, "-maxrate", `${videoKbps}k`, "-bufsize", `${videoKbps * 2}k`],
    ...["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-f", "flv", output],
  ];
}

/** Encodes the benchmark clip once into the shared clip cache and returns its path. */
export async function ensureBenchClip(): Promise<string> {
  const { width, height, fps, videoKbps, seconds } = BENCH_CLIP;
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/spiritstream-test-clips`;
  const path = `${dir}/bench-${width}x${height}-${fps}fps-${videoKbps}k-${seconds}s.flv`;
  try {
    if ((await Deno.stat(path)).size > 0) return path;
  } catch {
    // not cached yet
  }
  await Deno.mkdir(dir, { recursive: true });
  // Encode to a private name, then rename: a concurrent run never reads half a clip.
  const tmp = await Deno.makeTempFile({ dir, prefix: ".building-", suffix: ".flv" });
  const { code, stderr } = await new Deno.Command(requireBinary("ffmpeg"), {
    args: benchClipArgs(tmp),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    await Deno.remove(tmp).catch(() => {});
    throw new Error(`Encoding the benchmark clip failed: ${new TextDecoder().decode(stderr)}`);
  }
  await Deno.chmod(tmp, 0o644);
  await Deno.rename(tmp, path);
  return path;
}
