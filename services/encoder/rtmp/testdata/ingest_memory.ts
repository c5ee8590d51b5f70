import { waitFor } from "@spiritstream/testing";
import { startIngestProcess } from "./ingest_process.ts";
import { holdAtPrePublishLimits, type RawRtmpClient } from "./raw_rtmp_client.ts";

/** What {@linkcode measurePendingRss} found. */
export interface PendingRss {
  /** Connections held at the pre-publish limits at the end (all of them unless dropped). */
  held: number;
  /** The ingest process's RSS growth divided by the connections held, in bytes. */
  perConnection: number;
  rssBefore: number;
  rssAfter: number;
}

/**
 * Starts an ingest in its own process, warms it up, then holds `count` connections at their
 * pre-publish limits and measures its RSS growth per connection.
 */
export async function measurePendingRss(count: number): Promise<PendingRss> {
  const ingest = await startIngestProcess({ maxPending: count + 50, publishTimeoutMs: 120_000 });
  const clients: RawRtmpClient[] = [];
  try {
    // Warm up (code compiled, allocator pools grown), then measure from a settled state.
    const warm = await holdMany(ingest.port, 20);
    await waitFor(() => ingest.pending === 20, { what: "the warm-up held" });
    for (const client of warm) client.close();
    await waitFor(() => ingest.pending === 0, { what: "the warm-up gone" });
    await settle();
    const before = await ingest.memory();
    clients.push(...await holdMany(ingest.port, count));
    await waitFor(() => ingest.pending === count, { what: `${count} connections held` });
    await settle();
    const after = await ingest.memory();
    return {
      held: ingest.pending,
      perConnection: (after.rss - before.rss) / count,
      rssBefore: before.rss,
      rssAfter: after.rss,
    };
  } finally {
    for (const client of clients) client.close();
    await ingest.stop();
  }
}

async function holdMany(port: number, count: number): Promise<RawRtmpClient[]> {
  const clients: RawRtmpClient[] = [];
  // A few at a time: the point is the state held, not a connection storm.
  for (let i = 0; i < count; i += 20) {
    const batch = Array.from(
      { length: Math.min(20, count - i) },
      () => holdAtPrePublishLimits(port),
    );
    clients.push(...await Promise.all(batch));
  }
  return clients;
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 500));
}
