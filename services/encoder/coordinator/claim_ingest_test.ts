import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createRedactor } from "@spiritstream/kit";
import { freePort, requireBinary, startNatsServer, waitFor } from "@spiritstream/testing";
import type { DesiredState } from "./desired_state.ts";
import { mediaAdapters } from "../adapters.ts";
import { createEngine, type Engine } from "../engine/mod.ts";
import { readLease } from "../leases/lease.ts";
import type { LeaseStore } from "../leases/lease_store.ts";
import { createNatsHandoverLink } from "../leases/nats_handover_link.ts";
import { createNatsLeaseStore } from "../leases/nats_lease_store.ts";
import { storeKey } from "../leases/store_key.ts";
import { streamKeyMatches } from "../rtmp/stream_key.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { createStreamCoordinator, type StreamCoordinator } from "./stream_coordinator.ts";

/* claimIngest over a real nats-server: JetStream KV leases and the NATS handover link. */

const TENANT = "tenant-1";
const KEY = "claim-test-ingest-key";
// A long TTL: every takeover below happens by handover or eviction, never by expiry.
const TIMING = { leaseTtlMs: 60_000, renewEveryMs: 1000, tickMs: 100, retryFailedMs: 500 };

interface Worker {
  id: string;
  nc: NatsConnection;
  engine: Engine;
  coordinator: StreamCoordinator;
}

async function startWorker(
  natsUrl: string,
  id: string,
  timing: Partial<typeof TIMING> = {},
): Promise<Worker> {
  const { logger } = captureLogger();
  const ffmpeg = requireBinary("ffmpeg");
  const nc = await connect({ servers: natsUrl, name: id });
  const engine = createEngine({
    adapters: mediaAdapters(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    logger,
    redactor: createRedactor(),
    emit: () => {},
    resolveEnv: () => undefined,
  });
  const coordinator = createStreamCoordinator({
    store: await createNatsLeaseStore(nc),
    engine,
    workerId: id,
    logger,
    handover: createNatsHandoverLink(nc),
    ...TIMING,
    ...timing,
  });
  await coordinator.start();
  return { id, nc, engine, coordinator };
}

async function stopWorker(worker: Worker): Promise<void> {
  await worker.coordinator.close();
  await worker.engine.close();
  await worker.nc.close();
}

function desired(port: number): DesiredState {
  return {
    tenantId: TENANT,
    generation: 1,
    ingest: { spec: { url: `rtmp://127.0.0.1:${port}/live`, streamKey: KEY }, generation: 1 },
    groups: {},
    retries: {},
  };
}

const matchesKey = (spec: { streamKey?: string | null }) =>
  Boolean(spec.streamKey) && streamKeyMatches(KEY, spec.streamKey!);

function listening(worker: Worker): boolean {
  return worker.engine.state(TENANT).ingest.state !== "idle";
}

async function withWorkers(
  ids: string[],
  body: (workers: Worker[], store: LeaseStore) => Promise<void>,
  options: { ownedByFirst?: boolean; timing?: Partial<typeof TIMING> } = {},
): Promise<void> {
  const nats = await startNatsServer();
  const workers: Worker[] = [];
  const nc = await connect({ servers: nats.url });
  try {
    for (const id of ids) {
      workers.push(await startWorker(nats.url, id, options.timing));
      // The first worker runs the tenant before the others start (they would race to adopt it).
      if (options.ownedByFirst && workers.length === 1) await ownedBy(workers[0]!);
    }
    await body(workers, await createNatsLeaseStore(nc));
  } finally {
    for (const worker of workers) await stopWorker(worker).catch(() => {});
    await nc.close();
    await nats.stop();
  }
}

async function ownedBy(worker: Worker): Promise<void> {
  await worker.coordinator.changeDesired(TENANT, () => desired(freePort()));
  await waitFor(() => listening(worker), {
    what: `${worker.id} to run the tenant`,
    timeoutMs: 10_000,
  });
}

Deno.test("claimIngest() takes a tenant from its live owner: it stops there and the lease is written to the claimer", async () => {
  await withWorkers(["a", "b"], async ([a, b], store) => {
    assert.equal(await b!.coordinator.claimIngest(matchesKey), TENANT);
    assert.deepEqual(b!.coordinator.owned(), [TENANT]);
    assert.deepEqual(a!.coordinator.owned(), []);
    assert.equal(listening(a!), false, "the old owner stopped the tenant's streams");
    assert.equal(listening(b!), true);
    assert.equal(readLease(await store.get(storeKey("lease", TENANT)))?.owner, "b");
    // The old owner does not adopt it back on its next ticks.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(a!.coordinator.owned(), []);
  }, { ownedByFirst: true });
});

Deno.test("claimIngest() racing another claim: exactly one wins, the other answers null", async () => {
  await withWorkers(["a", "b", "c"], async ([a, b, c], store) => {
    const results = await Promise.all([
      b!.coordinator.claimIngest(matchesKey),
      c!.coordinator.claimIngest(matchesKey),
    ]);
    assert.equal(results.filter((r) => r === TENANT).length, 1, `results ${results}`);
    assert.equal(results.filter((r) => r === null).length, 1);
    const winner = results[0] === TENANT ? b! : c!;
    assert.equal(readLease(await store.get(storeKey("lease", TENANT)))?.owner, winner.id);
    assert.equal([a!, b!, c!].filter(listening).length, 1, "one worker runs the tenant");
  }, { ownedByFirst: true });
});

Deno.test("claimIngest() of a tenant whose owner's process is gone takes its live lease at once", async () => {
  await withWorkers(["b"], async ([b], store) => {
    // A lease far from expiry, held by a worker with no process (killed): nobody answers for it.
    // Written before the desired state: b's tick would otherwise take the free lease first.
    await store.put(storeKey("lease", TENANT), { owner: "ghost", expiresAt: Date.now() + 60_000 });
    await store.create(storeKey("desired", TENANT), desired(freePort()));
    // (Until b's watch of desired.* delivered the new tenant, its claim may find nothing.)
    await waitFor(async () => (await b!.coordinator.claimIngest(matchesKey)) === TENANT, {
      what: "b to claim the tenant",
      timeoutMs: 5000,
    });
    assert.equal(readLease(await store.get(storeKey("lease", TENANT)))?.owner, "b");
    await waitFor(() => listening(b!), { what: "b to run the tenant", timeoutMs: 10_000 });
  });
});

Deno.test("claimIngest(): a key no tenant has, or a draining worker, claims nothing", async () => {
  await withWorkers(["a", "b"], async ([a, b]) => {
    assert.equal(await b!.coordinator.claimIngest(() => false), null);
    b!.coordinator.drain();
    assert.equal(await b!.coordinator.claimIngest(matchesKey), null);
    assert.deepEqual(a!.coordinator.owned(), [TENANT], "the owner kept it");
  }, { ownedByFirst: true });
});

Deno.test("release() stops a tenant and frees its lease now: another worker adopts it", async () => {
  await withWorkers(["a", "b"], async ([a, b], store) => {
    a!.coordinator.drain();
    await a!.coordinator.release([TENANT]);
    assert.equal(listening(a!), false);
    await waitFor(() => listening(b!), { what: "b to adopt the tenant", timeoutMs: 10_000 });
    assert.equal(readLease(await store.get(storeKey("lease", TENANT)))?.owner, "b");
    assert.deepEqual(a!.coordinator.owned(), [], "a draining worker does not take it back");
  }, { ownedByFirst: true });
});

Deno.test("claimIngest() back and forth with the owner's tick running every 2 ms: after each claim only the claimer runs the tenant (the tick never re-takes a lease being handed over)", async () => {
  await withWorkers(["a", "b"], async ([a, b]) => {
    for (let round = 0; round < 15; round++) {
      const [to, from] = round % 2 === 0 ? [b!, a!] : [a!, b!];
      assert.equal(await to.coordinator.claimIngest(matchesKey), TENANT, `round ${round}`);
      assert.deepEqual(from.coordinator.owned(), [], `round ${round}: ${from.id} let it go`);
      assert.deepEqual(to.coordinator.owned(), [TENANT], `round ${round}: ${to.id} runs it`);
    }
  }, { ownedByFirst: true, timing: { tickMs: 2 } });
});
