import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { startPublisher, waitFor } from "@spiritstream/testing";
import { parseIngest } from "../engine/parse_ingest.ts";
import { createMediaHub } from "../hub/mod.ts";
import type { IngestListener } from "../ports.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { type SharedRtmpIngest, startSharedRtmpIngest } from "./shared_rtmp_ingest.ts";

/** One tenant's ingest registered on the shared server; `live` follows its reports. */
async function register(ingest: SharedRtmpIngest, key: string | null) {
  const { logger } = captureLogger();
  const spec = { url: "rtmp://0.0.0.0:1935/live", streamKey: key };
  const state = { live: false, reports: 0 };
  const listener: IngestListener = await ingest.open({
    address: parseIngest(spec),
    spec,
    hub: createMediaHub({ logger }),
    logger,
    redactor: createRedactor(),
    ffmpegPath: () => Promise.resolve("ffmpeg"),
    marker: "test",
    report(live) {
      state.live = live;
      state.reports++;
    },
  });
  return { state, listener };
}

function start(claim: (matches: (key: string) => boolean) => Promise<string | null>) {
  const { logger, lines } = captureLogger();
  const ingest = startSharedRtmpIngest({ hostname: "127.0.0.1", port: 0, logger, claim });
  return { ingest, lines, url: (key: string) => `rtmp://127.0.0.1:${ingest.port}/live/${key}` };
}

Deno.test("startSharedRtmpIngest() routes each publisher to the tenant whose key it carries", async () => {
  const { ingest, url, lines } = start(() => Promise.resolve(null));
  const one = await register(ingest, "key-one-0123");
  const two = await register(ingest, "key-two-0123");
  const obs = await startPublisher(url("key-two-0123"));
  try {
    await waitFor(() => two.state.live, { what: "tenant two live", timeoutMs: 15_000 });
    assert.equal(one.state.live, false);
    assert.equal(ingest.live, 1);
    // Closing a tenant's ingest cuts its publisher off.
    await two.listener.close();
    assert.notEqual((await obs.exited).code, null);
    assert.equal(ingest.live, 0);
  } finally {
    await obs.stop();
    await one.listener.close();
    await ingest.close();
  }
  assert.ok(!lines.join("\n").includes("key-two-0123"), "the key is never logged");
});

Deno.test("startSharedRtmpIngest() claims the tenant of a key it does not have, holding the publish meanwhile", async () => {
  const claimed: boolean[] = [];
  let later: Awaited<ReturnType<typeof register>> | null = null;
  const { ingest, url } = start(async (matches) => {
    claimed.push(matches("key-claimed-01"), matches("other"));
    // What the coordinator does: take the lease, apply the desired state (registering the ingest).
    await new Promise((resolve) => setTimeout(resolve, 300));
    later = await register(ingest, "key-claimed-01");
    return "tenant-claimed";
  });
  const obs = await startPublisher(url("key-claimed-01"));
  try {
    await waitFor(() => later?.state.live === true, {
      what: "claimed tenant live",
      timeoutMs: 15_000,
    });
    assert.deepEqual(claimed, [true, false]);
  } finally {
    await obs.stop();
    await later!.listener.close();
    await ingest.close();
  }
});

Deno.test("startSharedRtmpIngest() refuses a key no tenant has, like a wrong key", async () => {
  const { ingest, url, lines } = start(() => Promise.resolve(null));
  const one = await register(ingest, "key-one-0123");
  try {
    const stranger = await startPublisher(url("nobody-has-this-key"));
    assert.notEqual((await stranger.exited).code, 0);
    assert.equal(one.state.live, false);
    assert.match(lines.join("\n"), /wrong stream key/);
    assert.ok(!lines.join("\n").includes("nobody-has-this-key"));
  } finally {
    await one.listener.close();
    await ingest.close();
  }
});

Deno.test("SharedRtmpIngest.open refuses an ingest without a key and a key already registered", async () => {
  const { ingest } = start(() => Promise.resolve(null));
  const one = await register(ingest, "key-one-0123");
  try {
    await assert.rejects(
      register(ingest, null),
      (e: unknown) => e instanceof AppError && /input\.streamKey/.test(e.message),
    );
    await assert.rejects(
      register(ingest, "key-one-0123"),
      (e: unknown) => e instanceof AppError && e.code === "conflict",
    );
  } finally {
    await one.listener.close();
    await ingest.close();
  }
});
