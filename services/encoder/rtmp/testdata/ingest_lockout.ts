import { ensureTestClip, startPublisher, type TestPublisher, waitFor } from "@spiritstream/testing";
import { startIngestAttack } from "./ingest_attack.ts";
import { type IngestProcess, startIngestProcess } from "./ingest_process.ts";

/** What {@linkcode runLockout} measured. */
export interface LockoutResult {
  /** FFmpeg start to "RTMP publisher is live", with no attack, then under attack. */
  quietMs: number;
  attackedMs: number;
  /** Connections waiting to publish when the publisher went live (the budget held). */
  pendingWhenLive: number;
  /** Attack connections opened, and body bytes of the oversized ones written. */
  opened: number;
  bodyBytes: number;
  /** The ingest process's peak RSS before the attack and after it (live media included). */
  peakBefore: number;
  peakAfter: number;
}

const KEY = "sk_live_lockout_secret";

/**
 * Runs an ingest in its own process with `maxPending`, goes live once unattacked, then starts
 * `idle` idle and `oversized` oversized sockets (each re-opened when closed), waits until they
 * hold the budget, goes live again with a real FFmpeg publisher and keeps media flowing for
 * `holdMs` under the attack.
 */
export async function runLockout(options: {
  maxPending: number;
  idle: number;
  oversized: number;
  holdMs: number;
}): Promise<LockoutResult> {
  const clip = await ensureTestClip();
  const ingest = await startIngestProcess({ streamKey: KEY, maxPending: options.maxPending });
  let attack: ReturnType<typeof startIngestAttack> | null = null;
  try {
    const quiet = await goLive(ingest, clip);
    await quiet.publisher.stop();
    await waitFor(() => ingest.lines.some((l) => l.msg === "RTMP publisher left"), {
      what: "the first publisher gone",
    });
    const before = await ingest.memory();
    attack = startIngestAttack(ingest.port, options);
    await waitFor(() => ingest.pending >= options.maxPending - 1 && attack!.bodyBytes > 0, {
      what: "the attack holding the pre-publish budget",
      timeoutMs: 30_000,
    });
    const attacked = await goLive(ingest, clip);
    const pendingWhenLive = ingest.pending;
    await new Promise((resolve) => setTimeout(resolve, options.holdMs));
    const after = await ingest.memory();
    const { opened, bodyBytes } = attack;
    await attack.stop();
    attack = null;
    await attacked.publisher.stop();
    return {
      quietMs: quiet.ms,
      attackedMs: attacked.ms,
      pendingWhenLive,
      opened,
      bodyBytes,
      peakBefore: before.peak,
      peakAfter: after.peak,
    };
  } finally {
    await attack?.stop();
    await ingest.stop();
  }
}

async function goLive(
  ingest: IngestProcess,
  clip: string,
): Promise<{ publisher: TestPublisher; ms: number }> {
  const started = performance.now();
  const publisher = await startPublisher(`rtmp://127.0.0.1:${ingest.port}/live/${KEY}`, { clip });
  try {
    const live = await ingest.liveAfter(started);
    return { publisher, ms: Math.round(live - started) };
  } catch (error) {
    await publisher.stop();
    throw new Error(`${(error as Error).message}; FFmpeg said: ${publisher.stderr().trim()}`);
  }
}
