import type { NginxRtmp, NginxStream } from "@spiritstream/testing";

/** The stream `name` on nginx destination `index`, if it is there. */
export async function destinationStream(
  nginx: NginxRtmp,
  index: number,
  name: string,
): Promise<NginxStream | undefined> {
  const stats = await nginx.stat();
  return stats[index]?.streams.find((s) => s.name === name);
}

/** Options for {@linkcode waitForMedia}. */
export interface WaitForMediaOptions {
  /** @default 20000 */
  timeoutMs?: number;
  /** @default 20 */
  intervalMs?: number;
  /** Only count bytes beyond this many (media must flow anew). @default 0 */
  bytesAbove?: number;
}

/**
 * Polls nginx `rtmp_stat` until stream `name` on destination `index` is publishing with video
 * metadata and bytes in; resolves with the performance.now() of that poll.
 */
export async function waitForMedia(
  nginx: NginxRtmp,
  index: number,
  name: string,
  options: WaitForMediaOptions = {},
): Promise<number> {
  const { timeoutMs = 20_000, intervalMs = 20, bytesAbove = 0 } = options;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const stream = await destinationStream(nginx, index, name).catch(() => undefined);
    if (stream?.publishing && stream.video && stream.bytesIn > bytesAbove) {
      return performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`No media for "${name}" at destination ${index} within ${timeoutMs} ms`);
}

/** Resolves once `bytesIn` of the stream grew by `bytes` (media is flowing right now). */
export async function waitForBytesFlowing(
  nginx: NginxRtmp,
  index: number,
  name: string,
  options: { bytes?: number; timeoutMs?: number } = {},
): Promise<number> {
  const { bytes = 50_000, timeoutMs = 20_000 } = options;
  const deadline = performance.now() + timeoutMs;
  let first: number | null = null;
  while (performance.now() < deadline) {
    const stream = await destinationStream(nginx, index, name).catch(() => undefined);
    if (stream?.publishing) {
      if (first === null || stream.bytesIn < first) first = stream.bytesIn;
      else if (stream.bytesIn - first >= bytes) return performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Bytes stopped flowing for "${name}" at destination ${index}`);
}

/** What {@linkcode watchFlow} saw. */
export interface FlowReport {
  /** Longest stretch (ms) in which the stream's bytes did not grow (or it was absent). */
  longestStallMs: number;
  /** Bytes that arrived while watching. */
  bytes: number;
  polls: number;
}

/**
 * Watches stream `name` on destination `index` every 250 ms until `stop()`: proves media kept
 * flowing through an outage elsewhere (a stall is time without `bytes_in` growing).
 */
export function watchFlow(
  nginx: NginxRtmp,
  index: number,
  name: string,
): { stop(): Promise<FlowReport> } {
  let stopped = false;
  let lastBytes = -1;
  let lastGrowth = performance.now();
  let longestStallMs = 0;
  let first = -1;
  let polls = 0;
  const loop = (async () => {
    while (!stopped) {
      const stream = await destinationStream(nginx, index, name).catch(() => undefined);
      const now = performance.now();
      polls++;
      const bytes = stream?.publishing ? stream.bytesIn : -1;
      if (first < 0 && bytes >= 0) first = bytes;
      if (bytes > lastBytes && bytes >= 0) lastGrowth = now;
      if (bytes >= 0) lastBytes = bytes;
      longestStallMs = Math.max(longestStallMs, now - lastGrowth);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return { longestStallMs, bytes: first < 0 ? 0 : lastBytes - first, polls };
    },
  };
}
