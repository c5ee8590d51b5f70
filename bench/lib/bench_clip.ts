import { ensureTestClip, testClipArgs } from "@spiritstream/testing";

/** The benchmark input: 1280x720 30 fps H.264 (x264 veryfast, GOP 2 s) at 4.5 Mbit/s + AAC. */
export const BENCH_CLIP = { width: 1280, height: 720, fps: 30, videoKbps: 4500, seconds: 30 };

/** The FFmpeg arguments that encode the benchmark clip (printed in BENCHMARKS.md). */
export function benchClipArgs(output: string): string[] {
  return testClipArgs(BENCH_CLIP, output);
}

/** Encodes the benchmark clip once into the shared clip cache and returns its path. */
export function ensureBenchClip(): Promise<string> {
  return ensureTestClip(BENCH_CLIP);
}
