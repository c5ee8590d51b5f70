import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { freePort, requireBinary, waitFor } from "@spiritstream/testing";
import type { DesiredState } from "./desired_state.ts";
import { mediaAdapters } from "../adapters.ts";
import { createEngine, type Engine } from "../engine/mod.ts";
import type { LeaseStore } from "../leases/lease_store.ts";
import { createMemoryLeaseStore } from "../leases/memory_lease_store.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { createStreamCoordinator, type StreamCoordinator } from "./stream_coordinator.ts";
import { WorkerCapacity } from "./worker_capacity.ts";

const TIMING = { leaseTtlMs: 600, renewEveryMs: 150, tickMs: 50, retryFailedMs: 200 };

interface Worker {
  engine: Engine;
  coordinator: StreamCoordinator;
}

async function startWorker(
  store: LeaseStore,
  workerId: string,
  maxTenants: number | null,
): Promise<Worker> {
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
  const coordinator = createStreamCoordinator({
    store,
    engine,
    workerId,
    logger,
    maxTenants,
    ...TIMING,
  });
  await coordinator.start();
  return { engine, coordinator };
}

async function stopWorker(worker: Worker): Promise<void> {
  await worker.coordinator.close();
  await worker.engine.close();
}

function ingestOnly(tenantId: string): DesiredState {
  return {
    tenantId,
    generation: 1,
    ingest: { spec: { url: `rtmp://127.0.0.1:${freePort()}/live` }, generation: 1 },
    groups: {},
    retries: {},
  };
}

/** Writes the tenant's ingest through `via` and waits (as a start command does) until it listens. */
async function open(via: StreamCoordinator, tenantId: string): Promise<void> {
  await via.changeDesired(tenantId, () => ingestOnly(tenantId));
  await via.awaitStatus(tenantId, ({ status }) => {
    if (status?.ingest?.generation !== 1) return undefined;
    if (status.ingest.error) {
      throw new AppError(status.ingest.error.code, status.ingest.error.message);
    }
    return true;
  }, { what: "opened the ingest", timeoutMs: 10_000 });
}

Deno.test("createStreamCoordinator() at its tenant limit leaves a new tenant to a worker with room, and fails a start once every worker is full", async () => {
  const store = createMemoryLeaseStore();
  const a = await startWorker(store, "a", 1);
  const b = await startWorker(store, "b", 1);
  try {
    await open(a.coordinator, "t1");
    assert.deepEqual(a.coordinator.owned(), ["t1"]);
    // Every command here reaches worker a, which is full: b takes the tenant.
    await open(a.coordinator, "t2");
    assert.deepEqual(a.coordinator.owned(), ["t1"]);
    assert.deepEqual(b.coordinator.owned(), ["t2"]);

    const full = await open(a.coordinator, "t3").then(() => null, (error) => error);
    assert.ok(full instanceof AppError, `expected an AppError, got ${full}`);
    assert.equal(full.code, "unavailable");
    assert.match(full.message, /^Every encoder worker is at its limit of 1 stream /);
    assert.deepEqual(a.coordinator.owned(), ["t1"], "the full worker did not take t3");
    assert.deepEqual(b.coordinator.owned(), ["t2"]);
    assert.equal(a.coordinator.load().streams, 1);
    assert.equal(a.coordinator.load().tenantLimit, 1);

    // t3's desired state is still there (here; the command path rolls it back): once a
    // stream ends, its worker has room and adopts the orphan.
    await b.coordinator.changeDesired("t2", () => null);
    await waitFor(() => b.coordinator.owned().includes("t3"), {
      what: "b to adopt t3 once it had room",
      timeoutMs: 10_000,
    });
    assert.deepEqual(b.coordinator.owned(), ["t3"]);
  } finally {
    await stopWorker(a);
    await stopWorker(b);
  }
});

Deno.test("createStreamCoordinator() takes no more tenants than its limit when several arrive at once", async () => {
  const store = createMemoryLeaseStore();
  const a = await startWorker(store, "a", 2);
  try {
    const tenants = ["t1", "t2", "t3", "t4"];
    await Promise.all(tenants.map((t) => a.coordinator.changeDesired(t, () => ingestOnly(t))));
    const outcomes = await Promise.allSettled(tenants.map((t) => open(a.coordinator, t)));
    assert.equal(a.coordinator.owned().length, 2);
    const failed = outcomes.filter((o) => o.status === "rejected");
    assert.equal(failed.length, 2);
    for (const outcome of failed) {
      assert.match(String(outcome.reason), /at its limit of 2 streams/);
    }
  } finally {
    await stopWorker(a);
  }
});

Deno.test("createStreamCoordinator() without a limit takes every tenant and never says full", async () => {
  const store = createMemoryLeaseStore();
  const a = await startWorker(store, "a", null);
  try {
    for (const t of ["t1", "t2", "t3"]) await open(a.coordinator, t);
    assert.equal(a.coordinator.owned().length, 3);
    assert.equal(a.coordinator.load().tenantLimit, null);
  } finally {
    await stopWorker(a);
  }
});

Deno.test("WorkerCapacity.everyWorkerFull() ignores workers whose entry expired and deletes long-gone ones", async () => {
  const store = createMemoryLeaseStore();
  const options = { limit: 1, ttlMs: 1000, refreshMs: 500 };
  const a = new WorkerCapacity(store, { workerId: "a", ...options });
  await a.publish(1);
  assert.equal(await a.everyWorkerFull(), 1);
  // A worker that died with room left: no longer counts once its entry expired.
  await store.put("worker.gone", { tenants: 0, limit: 1, expiresAt: Date.now() - 1 });
  assert.equal(await a.everyWorkerFull(), 1);
  assert.ok(await store.get("worker.gone"), "kept while it may come back");
  await store.put("worker.gone", { tenants: 0, limit: 1, expiresAt: Date.now() - 60_000 });
  await store.put("worker.junk", { nonsense: true });
  assert.equal(await a.everyWorkerFull(), 1);
  assert.equal(await store.get("worker.gone"), null);
  assert.equal(await store.get("worker.junk"), null);
  // A live worker with room, or one without a limit, means not full.
  await store.put("worker.b", { tenants: 0, limit: 1, expiresAt: Date.now() + 5000 });
  assert.equal(await a.everyWorkerFull(), null);
  await store.put("worker.b", { tenants: 9, limit: null, expiresAt: Date.now() + 5000 });
  assert.equal(await a.everyWorkerFull(), null);
  await a.withdraw();
  assert.equal(await store.get("worker.a"), null);
  await store.close();
});
