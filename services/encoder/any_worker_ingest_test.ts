import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { COMMANDS, LOCAL_TENANT, MASKED_SECRET } from "@spiritstream/contracts";
import { callCommand } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import {
  freePort,
  type NginxRtmp,
  type ReconnectingPublisher,
  startNatsServer,
  startNginxRtmp,
  startPostgres,
  startPublisher,
  startReconnectingPublisher,
  startTcpBalancer,
  waitFor,
} from "@spiritstream/testing";
import { readLease } from "./leases/lease.ts";
import { createNatsLeaseStore } from "./leases/nats_lease_store.ts";
import { sealLeaseStore } from "./leases/sealed_lease_store.ts";
import { storeKey } from "./leases/store_key.ts";
import { copyGroup, rtmpTarget } from "./testdata/encoder_harness.ts";
import {
  PROFILES_MAIN,
  startWorkerProcess,
  stopWorkerProcess,
  WORKER_SECRET,
  type WorkerProcess,
} from "./testdata/worker_process.ts";

/*
 * Ownership follows the publisher: three encoder worker processes over a real nats-server, each
 * with a shared RTMP ingest (SPIRITSTREAM_INGEST_LISTEN), behind a round-robin TCP balancer
 * (nginx's stream module), like the cloud's `ingest` LoadBalancer without ClientIP affinity.
 * The profile lives where the cloud keeps it: a profiles service process on a real PostgreSQL.
 * The start sends the target's key masked, as the dashboard does, so the worker that serves the
 * command resolves it from there; the workers share it (sealed) through NATS KV.
 */

const INGEST_KEY = "obs-ingest-key-0123456789";
const DEST_KEY = "platform-key-any-worker";

interface Worker extends WorkerProcess {
  ingestPort: number;
}

function startWorker(id: string, options: { natsUrl: string; dataDir: string }): Worker {
  const ingestPort = freePort();
  const worker = startWorkerProcess(id, {
    ...options,
    tailChars: 200_000,
    env: {
      SPIRITSTREAM_INGEST_LISTEN: `127.0.0.1:${ingestPort}`,
      SPIRITSTREAM_DRAIN_GRACE_MS: "15000",
    },
  });
  return { ...worker, ingestPort };
}

const stopWorker = (worker: WorkerProcess) => stopWorkerProcess(worker, 30_000);

async function destBytes(nginx: NginxRtmp): Promise<number> {
  const stream = (await nginx.stat())[0]!.streams.find((s) => s.name === DEST_KEY && s.publishing);
  return stream?.bytesIn ?? 0;
}

/** Whether media reaches the destination: its byte count grows. */
async function flowing(nginx: NginxRtmp): Promise<boolean> {
  const first = await destBytes(nginx);
  await new Promise((resolve) => setTimeout(resolve, 700));
  return first > 0 && await destBytes(nginx) > first;
}

/** When media reaches the destination over a connection accepted after `acceptedBefore`. */
async function resumedAt(nginx: NginxRtmp, acceptedBefore: number): Promise<number> {
  let last = -1;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const stat = (await nginx.stat())[0]!;
    const bytes = stat.streams.find((s) => s.name === DEST_KEY && s.publishing)?.bytesIn ?? 0;
    if (stat.accepted > acceptedBefore && bytes > 0) {
      if (last >= 0 && bytes > last) return Date.now();
      last = bytes;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("media did not resume at the destination within 30 s");
}

Deno.test("any encoder worker takes the publisher behind a round-robin balancer; kill -9 and SIGTERM of the owner", async (t) => {
  const nats = await startNatsServer();
  const pg = await startPostgres();
  const nginx = await startNginxRtmp({ apps: 1 });
  const root = await Deno.makeTempDir({ prefix: "encoder_any_worker_" });
  const profiles = startWorkerProcess("profiles", {
    main: PROFILES_MAIN,
    natsUrl: nats.url,
    dataDir: `${root}/profiles`,
    env: { SPIRITSTREAM_DATABASE_URL: await pg.createDatabase("spiritstream") },
  });
  const workers = ["worker-a", "worker-b", "worker-c"].map((id) =>
    startWorker(id, { natsUrl: nats.url, dataDir: `${root}/${id}` })
  );
  const balancer = await startTcpBalancer(workers.map((w) => w.ingestPort));
  const bus = await createNatsBus({ servers: nats.url, name: "any-worker-test" });
  const nc = await connect({ servers: nats.url });
  const leases = sealLeaseStore(await createNatsLeaseStore(nc), WORKER_SECRET);
  const leaseKey = storeKey("lease", LOCAL_TENANT);
  const owner = async () => readLease(await leases.get(leaseKey))?.owner ?? null;
  const publishUrl = (key: string) => `rtmp://127.0.0.1:${balancer.port}/live/${key}`;
  const obs: { publisher: ReconnectingPublisher | null } = { publisher: null };
  try {
    for (const worker of workers) {
      await waitFor(() => worker.output().includes("Encoder service is ready"), {
        what: `${worker.id} to start`,
        timeoutMs: 60_000,
      }).catch((error) => {
        throw new Error(`${error.message}: ${worker.output()}`);
      });
    }
    await waitFor(() => profiles.output().includes("service is ready"), {
      what: "the profiles service to start",
      timeoutMs: 60_000,
    }).catch((error) => {
      throw new Error(`${error.message}: ${profiles.output()}`);
    });
    const meta = {
      requestId: "r",
      tenantId: LOCAL_TENANT,
      userId: null,
      role: "admin" as const,
      ip: null,
    };
    // The cloud profile: every tenant says rtmp://0.0.0.0:1935/live; the key routes it.
    const group = copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, DEST_KEY)]);
    const input = {
      type: "rtmp" as const,
      bindAddress: "0.0.0.0",
      port: 1935,
      application: "live",
      streamKey: INGEST_KEY,
    };
    await callCommand(bus, COMMANDS.save_profile, {
      meta,
      args: { profile: { id: "cloud", name: "Cloud", input, outputGroups: [group] } },
    }, { timeoutMs: 30_000 });
    const masked = {
      ...group,
      streamTargets: group.streamTargets.map((t) => ({ ...t, streamKey: MASKED_SECRET })),
    };
    const pids = await callCommand(bus, COMMANDS.start_all_streams, {
      meta,
      args: {
        groups: [masked],
        incomingUrl: "rtmp://0.0.0.0:1935/live",
        input: {
          type: "rtmp",
          bindAddress: "0.0.0.0",
          port: 1935,
          application: "live",
          streamKey: INGEST_KEY,
        },
      },
    }, { timeoutMs: 30_000 });
    assert.equal(pids.length, 1);

    await t.step("a publish with a key no tenant has is refused by every worker", async () => {
      for (let i = 0; i < workers.length; i++) {
        const stranger = await startPublisher(publishUrl("not-a-tenant-key"));
        const status = await stranger.exited;
        assert.notEqual(status.code, 0, "FFmpeg was refused");
      }
      for (const worker of workers) {
        assert.match(worker.output(), /RTMP publish refused/, `${worker.id} refused it`);
      }
      assert.equal(await destBytes(nginx), 0);
    });

    await t.step("ten publishes through the balancer each reach the destination", async () => {
      const owners: string[] = [];
      const handovers: number[] = [];
      for (let i = 0; i < 10; i++) {
        const before = await owner();
        const startedAt = Date.now();
        const obs = await startPublisher(publishUrl(INGEST_KEY));
        try {
          await waitFor(() => flowing(nginx), {
            what: `media at the destination (publish ${i + 1})`,
            timeoutMs: 30_000,
          }).catch((error) => {
            throw new Error(`${error.message}: ${obs.stderr()}`);
          });
          const now = (await owner())!;
          owners.push(now);
          if (before !== null && now !== before) handovers.push(Date.now() - startedAt);
        } finally {
          await obs.stop();
        }
      }
      // Round-robin: the publisher landed on more than one worker, and ownership followed it.
      assert.ok(new Set(owners).size >= 2, `owners ${owners.join(",")}`);
      // deno-lint-ignore no-console
      console.log(
        `owners: ${owners.join(" ")}; publish → media at the destination after a handover (ms, ` +
          `700 ms sampling included): ${handovers.join(" ")}`,
      );
      // Publish → the tenant claimed here and its ingest registered (the publish held meanwhile).
      const claims = workers.flatMap((w) =>
        [...w.output().matchAll(/"ms":(\d+)[^\n]*"Claimed the tenant of a publisher"/g)].map((m) =>
          Number(m[1])
        )
      );
      assert.ok(claims.length >= 1, "a worker claimed the tenant from another");
      // deno-lint-ignore no-console
      console.log(`claims (ms, on the claiming worker): ${claims.join(" ")}`);
    });

    await t.step(
      "kill -9 of the owner: the publisher's reconnect resumes delivery within 5 s",
      async () => {
        obs.publisher = startReconnectingPublisher(publishUrl(INGEST_KEY));
        await waitFor(() => flowing(nginx), { what: "media before the kill", timeoutMs: 30_000 });
        const ownerId = (await owner())!;
        const killed = workers.find((w) => w.id === ownerId)!;
        assert.ok(killed, `owner ${ownerId}`);
        const acceptedBefore = (await nginx.stat())[0]!.accepted;
        const killedAt = Date.now();
        killed.child.kill("SIGKILL");
        const resumed = await resumedAt(nginx, acceptedBefore);
        const ms = resumed - killedAt;
        // deno-lint-ignore no-console
        console.log(`kill -9 of ${ownerId} → media at the destination again: ${ms} ms`);
        assert.ok(ms < 5000, `delivery resumed ${ms} ms after the kill`);
        await killed.exited;
        assert.notEqual(await owner(), ownerId);
      },
    );

    await t.step(
      "SIGTERM drains the owner: the destination reconnects once, the worker exits",
      async () => {
        await waitFor(() => flowing(nginx), { what: "media before the drain", timeoutMs: 30_000 });
        const ownerId = (await owner())!;
        const draining = workers.find((w) => w.id === ownerId)!;
        const acceptedBefore = (await nginx.stat())[0]!.accepted;
        const termAt = Date.now();
        draining.child.kill("SIGTERM");
        const status = await draining.exited;
        const drainMs = Date.now() - termAt;
        assert.equal(status.code, 0, draining.output().slice(-2000));
        assert.match(draining.output(), /Drained: tenants handed over/);
        await waitFor(() => flowing(nginx), { what: "media after the drain", timeoutMs: 30_000 });
        const accepted = (await nginx.stat())[0]!.accepted - acceptedBefore;
        // deno-lint-ignore no-console
        console.log(
          `SIGTERM of ${ownerId} → exited after ${drainMs} ms; destination reconnects: ${accepted}`,
        );
        assert.ok(accepted <= 1, `the destination reconnected ${accepted} times`);
        const survivor = (await owner())!;
        assert.ok(survivor !== ownerId && workers.some((w) => w.id === survivor));
      },
    );

    await obs.publisher?.stop();
    obs.publisher = null;
    assert.equal(await callCommand(bus, COMMANDS.stop_all_streams, { meta, args: {} }), null);
    for (const worker of [...workers, profiles]) {
      assert.ok(!worker.output().includes(INGEST_KEY), `${worker.id} logged the ingest key`);
      assert.ok(!worker.output().includes(DEST_KEY), `${worker.id} logged the stream key`);
    }
  } finally {
    await obs.publisher?.stop();
    await Promise.all([...workers, profiles].map(stopWorker));
    await balancer.stop();
    await leases.close();
    await nc.close();
    await bus.close();
    await nginx.stop();
    await nats.stop();
    await pg.stop();
    await Deno.remove(root, { recursive: true });
  }
});
