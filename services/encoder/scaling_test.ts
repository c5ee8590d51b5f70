import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { AppError, COMMANDS } from "@spiritstream/contracts";
import { callCommand } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import {
  freePort,
  type NginxRtmp,
  startNatsServer,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
  waitFor,
} from "@spiritstream/testing";
import { readLease } from "./leases/lease.ts";
import { createNatsLeaseStore } from "./leases/nats_lease_store.ts";
import { sealLeaseStore } from "./leases/sealed_lease_store.ts";
import { storeKey } from "./leases/store_key.ts";
import { copyGroup, rtmpTarget } from "./testdata/encoder_harness.ts";
import {
  startWorkerProcess,
  stopWorkerProcess,
  WORKER_SECRET,
  type WorkerProcess,
} from "./testdata/worker_process.ts";

function meta(tenantId: string) {
  return {
    requestId: crypto.randomUUID(),
    tenantId,
    userId: null,
    role: "admin" as const,
    ip: null,
  };
}

/** One unlabelled sample of a worker's `/metrics`, scraped over HTTP from its probe port. */
async function scrape(port: number, name: string): Promise<number | undefined> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

async function bytesIn(nginx: NginxRtmp, name: string): Promise<number> {
  const stream = (await nginx.stat())[0]!.streams.find((s) => s.name === name && s.publishing);
  return stream?.bytesIn ?? 0;
}

Deno.test("encoder workers with SPIRITSTREAM_WORKER_MAX_TENANTS=1: each tenant lands on its own worker, a start with every worker full fails clearly, /metrics counts streams and targets", async () => {
  const nats = await startNatsServer();
  const nginx = await startNginxRtmp({ apps: 1 });
  const root = await Deno.makeTempDir({ prefix: "encoder_scaling_" });
  const healthPorts: Record<string, number> = { "worker-a": freePort(), "worker-b": freePort() };
  const workers: WorkerProcess[] = Object.entries(healthPorts).map(([id, port]) =>
    startWorkerProcess(id, {
      natsUrl: nats.url,
      dataDir: `${root}/${id}`,
      env: {
        SPIRITSTREAM_HEALTH_PORT: String(port),
        SPIRITSTREAM_WORKER_MAX_TENANTS: "1",
      },
    })
  );
  const bus = await createNatsBus({ servers: nats.url, name: "scaling-test" });
  const nc = await connect({ servers: nats.url });
  const leases = sealLeaseStore(await createNatsLeaseStore(nc), WORKER_SECRET);
  const publishers: TestPublisher[] = [];
  try {
    for (const worker of workers) {
      await waitFor(() => worker.output().includes("Encoder service is ready"), {
        what: `${worker.id} to start`,
        timeoutMs: 30_000,
      }).catch((error) => {
        throw new Error(`${error.message}: ${worker.output()}`);
      });
    }
    // Both tenants' commands may reach either worker (queue group): the limit sends them apart.
    const tenants = ["tenant-a", "tenant-b"];
    for (const tenantId of tenants) {
      const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
      const group = copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, `key-${tenantId}`)]);
      const pids = await callCommand(bus, COMMANDS.start_all_streams, {
        meta: meta(tenantId),
        args: { groups: [group], incomingUrl },
      }, { timeoutMs: 30_000 });
      assert.equal(pids.length, 1);
      publishers.push(await startPublisher(`${incomingUrl}/obs`));
    }
    const owners = await Promise.all(
      tenants.map(async (t) => readLease(await leases.get(storeKey("lease", t)))?.owner),
    );
    assert.deepEqual(owners.toSorted(), ["worker-a", "worker-b"], `owners ${owners}`);

    const refused = await callCommand(bus, COMMANDS.start_all_streams, {
      meta: meta("tenant-c"),
      args: {
        groups: [copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, "key-tenant-c")])],
        incomingUrl: `rtmp://127.0.0.1:${freePort()}/live`,
      },
    }, { timeoutMs: 30_000 }).then(() => null, (error) => error);
    assert.ok(refused instanceof AppError, `expected an AppError, got ${refused}`);
    assert.equal(refused.code, "unavailable");
    assert.match(refused.message, /^Every encoder worker is at its limit of 1 stream /);
    assert.equal(await leases.get(storeKey("desired", "tenant-c")), null, "the start rolled back");
    assert.equal(await leases.get(storeKey("lease", "tenant-c")), null);

    for (const tenantId of tenants) {
      await waitFor(async () => await bytesIn(nginx, `key-${tenantId}`) > 0, {
        what: `media of ${tenantId} at the destination`,
        timeoutMs: 20_000,
      });
    }
    for (const [id, port] of Object.entries(healthPorts)) {
      assert.equal(await scrape(port, "spiritstream_encoder_streams"), 1, id);
      assert.equal(await scrape(port, "spiritstream_encoder_tenant_limit"), 1, id);
      assert.equal(await scrape(port, "spiritstream_encoder_groups"), 1, id);
      assert.equal(await scrape(port, "spiritstream_encoder_targets"), 1, id);
      await waitFor(
        async () => await scrape(port, "spiritstream_encoder_targets_connected") === 1,
        {
          what: `${id} to report its target connected`,
          timeoutMs: 15_000,
        },
      );
      assert.equal(await scrape(port, "spiritstream_encoder_streams_live"), 1, id);
      const ready = await (await fetch(`http://127.0.0.1:${port}/ready`)).json();
      assert.deepEqual(ready, {
        ready: true,
        load: {
          streams: 1,
          streamsLive: 1,
          groups: 1,
          targets: 1,
          targetsConnected: 1,
          tenantLimit: 1,
        },
      });
    }

    // A stream ends: its worker has room again and takes the next tenant.
    assert.equal(
      await callCommand(bus, COMMANDS.stop_all_streams, { meta: meta("tenant-a"), args: {} }),
      null,
    );
    const freed = healthPorts[owners[0]!]!;
    assert.equal(await scrape(freed, "spiritstream_encoder_streams"), 0);
    const pids = await callCommand(bus, COMMANDS.start_all_streams, {
      meta: meta("tenant-c"),
      args: {
        groups: [copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, "key-tenant-c")])],
        incomingUrl: `rtmp://127.0.0.1:${freePort()}/live`,
      },
    }, { timeoutMs: 30_000 });
    assert.equal(pids.length, 1);
    assert.equal(readLease(await leases.get(storeKey("lease", "tenant-c")))?.owner, owners[0]);
    for (const worker of workers) {
      assert.ok(!worker.output().includes("key-tenant"), `${worker.id} logged a stream key`);
    }
  } finally {
    await Promise.all(publishers.map((p) => p.stop()));
    await Promise.all(workers.map(stopWorkerProcess));
    await leases.close();
    await nc.close();
    await bus.close();
    await nginx.stop();
    await nats.stop();
    await Deno.remove(root, { recursive: true });
  }
});
