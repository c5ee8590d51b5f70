import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { ensureTestClip, freePort, requireBinary, waitFor } from "@spiritstream/testing";
import { parseIngest } from "../engine/parse_ingest.ts";
import { createMediaHub } from "../hub/mod.ts";
import type { IngestListener, IngestSpec } from "../ports.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { ingestListenerContract } from "../testdata/ingest_listener_contract.ts";
import {
  type SharedSrtIngest,
  type SharedSrtIngestOptions,
  startSharedSrtIngest,
} from "./shared_srt_ingest.ts";
import { openSrtCaller } from "./srt_caller.ts";
import { srtPublisher } from "./testdata/srt_peers.ts";

const KEY = "shared-srt-key-0123";
const PASSPHRASE = "shared-srt-passphrase-0123";
const SPEC: IngestSpec = {
  url: "srt://0.0.0.0:9000",
  streamKey: KEY,
  srtPassphrase: PASSPHRASE,
  srtLatencyMs: 120,
};

async function start(port: number, options: Partial<SharedSrtIngestOptions> = {}) {
  const { logger, lines } = captureLogger();
  const ingest = await startSharedSrtIngest({
    hostname: "127.0.0.1",
    port,
    logger,
    peek: () => null,
    claim: () => Promise.resolve(null),
    ...options,
  });
  return { ingest, lines };
}

/** One tenant's ingest registered on the shared listener; `reports` follows its reports. */
async function register(ingest: SharedSrtIngest, spec: IngestSpec = SPEC) {
  const { logger } = captureLogger();
  const reports: boolean[] = [];
  const listener: IngestListener = await ingest.open({
    address: parseIngest(spec),
    spec,
    hub: createMediaHub({ logger }),
    logger,
    redactor: createRedactor(),
    ffmpegPath: () => Promise.resolve(requireBinary("ffmpeg")),
    marker: "test",
    report: (live) => void reports.push(live),
  });
  return { reports, listener };
}

function callerUrl(port: number, key = KEY, passphrase = PASSPHRASE): string {
  return `srt://127.0.0.1:${port}?mode=caller&latency=120000&streamid=${key}&passphrase=${passphrase}`;
}

// The engine's view: a shared listener on the spec's port, one tenant registered on it.
ingestListenerContract({
  name: "startSharedSrtIngest",
  open: async (options) => {
    const { ingest } = await start(options.address.port);
    const listener = await ingest.open(options);
    return {
      close: async () => {
        await listener.close();
        await ingest.close();
      },
    };
  },
  spec: (port) => ({ ...SPEC, url: `srt://127.0.0.1:${port}` }),
  publish: (spec, clip) => Promise.resolve(srtPublisher(callerUrl(parseIngest(spec).port), clip)),
});

Deno.test("startSharedSrtIngest() claims the tenant of a caller it does not run, then feeds it; draining drops the caller", async () => {
  const port = freePort();
  const clip = await ensureTestClip();
  const claimed: boolean[] = [];
  let later: Awaited<ReturnType<typeof register>> | null = null;
  const shared: { ingest?: SharedSrtIngest } = {};
  const { ingest, lines } = await start(port, {
    // Another worker runs the tenant: its passphrase comes from the desired state.
    peek: (matches) => (matches(KEY) ? SPEC : null),
    claim: async (matches) => {
      claimed.push(matches(KEY), matches("other"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      later = await register(shared.ingest!);
      return "tenant-claimed";
    },
  });
  shared.ingest = ingest;
  const publisher = srtPublisher(callerUrl(port), clip);
  try {
    await waitFor(() => later?.reports.at(-1) === true, {
      what: "the claimed tenant live",
      timeoutMs: 20_000,
    });
    assert.deepEqual(claimed, [true, false]);
    assert.equal(ingest.live, 1);
    // Draining closes the live callers (OBS calls again, through the balancer).
    await ingest.disconnectCallers();
    await waitFor(() => later?.reports.includes(false) === true, {
      what: "the caller gone",
      timeoutMs: 10_000,
    });
  } finally {
    await publisher.stop();
    await later!.listener.close();
    await ingest.close();
  }
  assert.ok(!lines.join("\n").includes(KEY) && !lines.join("\n").includes(PASSPHRASE));
});

Deno.test("startSharedSrtIngest() drops a caller whose tenant is not claimed within holdMs", async () => {
  const port = freePort();
  const { ingest, lines } = await start(port, {
    peek: (matches) => (matches(KEY) ? SPEC : null),
    claim: () => new Promise(() => {}), // the owner never answers
    holdMs: 500,
  });
  try {
    const caller = await openSrtCaller(callerUrl(port), AbortSignal.timeout(10_000));
    try {
      await waitFor(() => !caller.connected(), { what: "the caller dropped", timeoutMs: 15_000 });
    } finally {
      await caller.close();
    }
    assert.match(lines.join("\n"), /SRT caller dropped: its tenant could not be run here/);
  } finally {
    await ingest.close();
  }
});

Deno.test("startSharedSrtIngest(): no key, a key taken, and a draining worker are refused", async () => {
  const port = freePort();
  const { ingest } = await start(port);
  try {
    await assert.rejects(
      register(ingest, { ...SPEC, streamKey: null }),
      (error: unknown) =>
        error instanceof AppError && error.code === "invalid_argument" &&
        /input\.streamKey/.test(error.message),
    );
    const tenant = await register(ingest);
    await assert.rejects(
      register(ingest, { ...SPEC, srtPassphrase: "another-passphrase-01" }),
      (error: unknown) => error instanceof AppError && error.code === "conflict",
    );
    // Registered: a caller gets in; draining: the same caller is rejected in the handshake.
    const caller = await openSrtCaller(callerUrl(port), AbortSignal.timeout(10_000));
    await caller.close();
    ingest.stopAccepting();
    await assert.rejects(
      openSrtCaller(callerUrl(port), AbortSignal.timeout(10_000)),
      /rejected the stream id/,
    );
    await tenant.listener.close();
  } finally {
    await ingest.close();
  }
});
