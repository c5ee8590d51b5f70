import { fixed, median } from "./summary.ts";

/** One soak sample of the host process. */
export interface SoakSample {
  /** Seconds since the stream went live. */
  t: number;
  /** CPU of the host and its FFmpegs since the previous sample, % of one core. */
  cpu: number;
  /** RSS of the host process alone. */
  rssMiB: number;
  /** RSS of its FFmpeg children together. */
  ffmpegRssMiB: number;
  /** Open file descriptors of the host process. */
  fds: number;
  /** FFmpeg processes under the host. */
  ffmpeg: number;
}

/** How much the second half may exceed the first before it counts as a leak. */
export interface LeakTolerance {
  /** Samples ignored at the start (JIT, caches and buffers filling). @default 2 */
  warmupSamples?: number;
  /** RSS: second-half median ≤ first-half median × ratio + slack. @default 1.15 */
  rssRatio?: number;
  /** @default 16 */
  rssSlackMiB?: number;
  /** FDs: second-half median ≤ first-half median + slack. @default 4 */
  fdSlack?: number;
  /** FDs: second-half max ≤ first-half max + slack (a reconnect may hold a socket). @default 8 */
  fdMaxSlack?: number;
  /** CPU: second-half median ≤ first-half median × ratio + slack (percentage points). @default 1.5 */
  cpuRatio?: number;
  /** @default 5 */
  cpuSlack?: number;
  /** More FFmpegs than this at any sample means duplicates are piling up. */
  maxFfmpeg: number;
}

/**
 * Compares the second half of the samples (after warm-up) with the first; returns one clear
 * reason per metric that grew beyond its tolerance (empty: no leak).
 */
export function findLeaks(samples: SoakSample[], tolerance: LeakTolerance): string[] {
  const {
    warmupSamples = 2,
    rssRatio = 1.15,
    rssSlackMiB = 16,
    fdSlack = 4,
    fdMaxSlack = 8,
    cpuRatio = 1.5,
    cpuSlack = 5,
    maxFfmpeg,
  } = tolerance;
  const reasons: string[] = [];
  const crowded = samples.find((s) => s.ffmpeg > maxFfmpeg);
  if (crowded) {
    reasons.push(
      `FFmpeg processes piled up: ${crowded.ffmpeg} at t=${crowded.t} s (at most ${maxFfmpeg} expected)`,
    );
  }
  const steady = samples.slice(warmupSamples);
  if (steady.length < 4) {
    reasons.push(`Too few samples after warm-up to compare halves (${steady.length}; need 4)`);
    return reasons;
  }
  const half = Math.floor(steady.length / 2);
  const first = steady.slice(0, half);
  const second = steady.slice(steady.length - half);
  const m = (xs: SoakSample[], pick: (s: SoakSample) => number) => median(xs.map(pick));
  const rss1 = m(first, (s) => s.rssMiB);
  const rss2 = m(second, (s) => s.rssMiB);
  if (rss2 > rss1 * rssRatio + rssSlackMiB) {
    reasons.push(
      `RSS grew: median ${fixed(rss1, 1)} MiB in the first half, ${
        fixed(rss2, 1)
      } MiB in the second (allowed ${fixed(rss1 * rssRatio + rssSlackMiB, 1)} MiB)`,
    );
  }
  const fd1 = m(first, (s) => s.fds);
  const fd2 = m(second, (s) => s.fds);
  const fdMax1 = Math.max(...first.map((s) => s.fds));
  const fdMax2 = Math.max(...second.map((s) => s.fds));
  if (fd2 > fd1 + fdSlack || fdMax2 > fdMax1 + fdMaxSlack) {
    reasons.push(
      `Open file descriptors grew: median ${fd1} → ${fd2}, max ${fdMax1} → ${fdMax2} ` +
        `(allowed +${fdSlack} median, +${fdMaxSlack} max)`,
    );
  }
  const cpu1 = m(first, (s) => s.cpu);
  const cpu2 = m(second, (s) => s.cpu);
  if (cpu2 > cpu1 * cpuRatio + cpuSlack) {
    reasons.push(
      `CPU grew: median ${fixed(cpu1)} % in the first half, ${fixed(cpu2)} % in the second ` +
        `(allowed ${fixed(cpu1 * cpuRatio + cpuSlack)} %)`,
    );
  }
  return reasons;
}
