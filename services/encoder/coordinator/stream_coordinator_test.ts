import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { freePort, requireBinary, waitFor } from "@spiritstream/testing";
import type { DesiredState } from "./desired_state.ts";
import { mediaAdapters } from "../adapters.ts";
import { createEngine, type Engine } from "../engine/mod.ts";
import type { LeaseStore } from "../leases/lease_store.ts";
import { createMemoryLeaseStore } from "../leases/memory_lease_store.ts";
import { storeKey } from "../leases/store_key.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { createStreamCoordinator, type StreamCoordinator } from "./stream_coordinator.ts";

const TENANT = "tenant-1";
const TIMING = { leaseTtlMs: 600, renewEveryMs: 150, tickMs: 50, retryFailedMs: 200 };

interface Worker {
  engine: Engine;
  coordinator: StreamCoordinator;
}

async function startWorker(store: LeaseStore, workerId: string): Promise<Worker> {
  const { logger } = captureLogger();
  const ffmpeg = requireBinary("ffmpeg");
  const engine = createEngine({
    adapters: mediaAdapters(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    logger,
    redactor: createRedactor(),
    emit: () => {},
    resolveEnv: () => undefined,
  });
  const coordinator = createStreamCoordinator({ store, engine, workerId, logger, ...TIMING });
  await coordinator.start();
  return { engine, coordinator };
}

async function stopWorker(worker: Worker): Promise<void> {
  await worker.coordinator.close();
  await worker.engine.close();
}

function ingestOnly(port: number): DesiredState {
  return {
    tenantId: TENANT,
    generation: 1,
    ingest: { spec: { url: `rtmp://127.0.0.1:${port}/live` }, generation: 1 },
    groups: {},
    retries: {},
  };
}

function listening(worker: Worker): boolean {
  return worker.engine.state(TENANT).ingest.state !== "idle";
}

async function opened(coordinator: StreamCoordinator): Promise<void> {
  await coordinator.awaitStatus(TENANT, ({ status }) => {
    if (status?.ingest?.generation !== 1) return undefined;
    if (status.ingest.error) {
      throw new AppError(status.ingest.error.code, status.ingest.error.message);
    }
    return true;
  }, { what: "opened the ingest", timeoutMs: 5000 });
}

Deno.test("createStreamCoordinator() runs a tenant on one worker and hands it over on close", async () => {
  const store = createMemoryLeaseStore();
  const a = await startWorker(store, "a");
  const b = await startWorker(store, "b");
  try {
    await a.coordinator.changeDesired(TENANT, () => ingestOnly(freePort()));
    await opened(a.coordinator);
    assert.deepEqual(a.coordinator.owned(), [TENANT]);
    assert.deepEqual(b.coordinator.owned(), []);
    assert.equal(listening(a), true);
    assert.equal(listening(b), false, "only the lease owner binds the ingest");
    assert.equal((await b.coordinator.state(TENANT)).ingest.state, "waiting", "read via status");

    await stopWorker(a);
    await waitFor(() => listening(b), { what: "b to take over", timeoutMs: 5000 });
    assert.deepEqual(b.coordinator.owned(), [TENANT]);

    await b.coordinator.changeDesired(TENANT, () => null);
    await waitFor(() => !listening(b), { what: "b to stop", timeoutMs: 5000 });
    assert.equal(await store.get(storeKey("lease", TENANT)), null);
    assert.equal(await store.get(storeKey("status", TENANT)), null);
  } finally {
    await stopWorker(b);
    await stopWorker(a).catch(() => {});
  }
});

Deno.test("createStreamCoordinator() stops a tenant at once when another worker took its lease", async () => {
  const store = createMemoryLeaseStore();
  const a = await startWorker(store, "a");
  try {
    await a.coordinator.changeDesired(TENANT, () => ingestOnly(freePort()));
    await opened(a.coordinator);
    // Another worker decided the lease had expired (e.g. after a long pause) and took it.
    await store.put(storeKey("lease", TENANT), { owner: "c", expiresAt: Date.now() + 60_000 });
    await waitFor(() => !listening(a), { what: "a to stop", timeoutMs: 5000 });
    assert.deepEqual(a.coordinator.owned(), []);
  } finally {
    await stopWorker(a);
  }
});

Deno.test("createStreamCoordinator() stops its streams when it cannot renew past the lease's expiry", async () => {
  const inner = createMemoryLeaseStore();
  let down = false;
  const store: LeaseStore = {
    ...inner,
    update(key, value, revision) {
      if (down) return Promise.reject(new AppError("unavailable", "Message bus unavailable"));
      return inner.update(key, value, revision);
    },
  };
  const a = await startWorker(store, "a");
  try {
    await a.coordinator.changeDesired(TENANT, () => ingestOnly(freePort()));
    await opened(a.coordinator);
    down = true;
    await waitFor(() => !listening(a), { what: "a to fence itself", timeoutMs: 5000 });
    assert.deepEqual(a.coordinator.owned(), []);
  } finally {
    down = false;
    await stopWorker(a);
  }
});

Deno.test("createStreamCoordinator() reports an ingest port in use and binds it once it is free", async () => {
  const store = createMemoryLeaseStore();
  const a = await startWorker(store, "a");
  const port = freePort();
  const squatter = Deno.listen({ hostname: "127.0.0.1", port });
  try {
    await a.coordinator.changeDesired(TENANT, () => ingestOnly(port));
    await assert.rejects(opened(a.coordinator), (error: unknown) => {
      assert.ok(error instanceof AppError, String(error));
      return true;
    });
    assert.equal(listening(a), false);
    squatter.close();
    await waitFor(() => listening(a), { what: "a to bind the freed port", timeoutMs: 5000 });
    assert.equal((await a.coordinator.status(TENANT))?.ingest?.error, null);
  } finally {
    try {
      squatter.close();
    } catch {
      // closed in the test
    }
    await stopWorker(a);
  }
});
