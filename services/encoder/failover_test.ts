import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { COMMANDS, LOCAL_TENANT } from "@spiritstream/contracts";
import { callCommand } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import {
  freePort,
  type NginxRtmp,
  type ReconnectingPublisher,
  startNatsServer,
  startNginxRtmp,
  startReconnectingPublisher,
  waitFor,
} from "@spiritstream/testing";
import { readLease } from "./leases/lease.ts";
import { createNatsLeaseStore } from "./leases/nats_lease_store.ts";
import { sealLeaseStore } from "./leases/sealed_lease_store.ts";
import { storeKey } from "./leases/store_key.ts";
import { copyGroup, rtmpTarget } from "./testdata/encoder_harness.ts";
import {
  startWorkerProcess as startWorker,
  stopWorkerProcess as stopWorker,
  WORKER_SECRET as SECRET,
} from "./testdata/worker_process.ts";

/** Whether media reaches stream `name` on the destination: its byte count grows. */
async function flowing(nginx: NginxRtmp, name: string): Promise<boolean> {
  async function bytes(): Promise<number> {
    const stream = (await nginx.stat())[0]!.streams.find((s) => s.name === name && s.publishing);
    return stream?.bytesIn ?? 0;
  }
  const first = await bytes();
  await new Promise((resolve) => setTimeout(resolve, 700));
  return first > 0 && await bytes() > first;
}

Deno.test("two encoder workers over NATS: killing the lease owner moves the stream to the other", async () => {
  const nats = await startNatsServer();
  const nginx = await startNginxRtmp({ apps: 1 });
  const root = await Deno.makeTempDir({ prefix: "encoder_failover_" });
  const workers = ["worker-a", "worker-b"].map((id) =>
    startWorker(id, { natsUrl: nats.url, dataDir: `${root}/${id}` })
  );
  const bus = await createNatsBus({ servers: nats.url, name: "failover-test" });
  const nc = await connect({ servers: nats.url });
  // The workers seal every value; the test reads through the same seal.
  const leases = sealLeaseStore(await createNatsLeaseStore(nc), SECRET);
  let publisher: ReconnectingPublisher | null = null;
  try {
    for (const worker of workers) {
      await waitFor(() => worker.output().includes("Encoder service is ready"), {
        what: `${worker.id} to start`,
        timeoutMs: 30_000,
      }).catch((error) => {
        throw new Error(`${error.message}: ${worker.output()}`);
      });
    }
    const meta = {
      requestId: "r",
      tenantId: LOCAL_TENANT,
      userId: null,
      role: "admin" as const,
      ip: null,
    };
    const port = freePort();
    const incomingUrl = `rtmp://127.0.0.1:${port}/live`;
    const key = "failover-secret-key";
    const group = copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, key)]);
    const pids = await callCommand(bus, COMMANDS.start_all_streams, {
      meta,
      args: { groups: [group], incomingUrl },
    }, { timeoutMs: 30_000 });
    assert.equal(pids.length, 1);
    publisher = startReconnectingPublisher(`${incomingUrl}/obs`);

    await waitFor(() => flowing(nginx, key), {
      what: "media at the destination",
      timeoutMs: 20_000,
    });

    // Reads reach either worker (queue group); the non-owner answers from the owner's status.
    for (let i = 0; i < 6; i++) {
      const ids = await callCommand(bus, COMMANDS.get_active_group_ids, { meta, args: {} });
      assert.deepEqual(ids, ["main"]);
    }
    const leaseKey = storeKey("lease", LOCAL_TENANT);
    const owner = readLease(await leases.get(leaseKey))!.owner;
    const victim = workers.find((w) => w.id === owner)!;
    const survivor = workers.find((w) => w.id !== owner)!;
    assert.ok(victim && survivor, `lease owner ${owner}`);
    const acceptedBefore = (await nginx.stat())[0]!.accepted;

    const killedAt = Date.now();
    victim.child.kill("SIGKILL");
    await victim.exited;
    await waitFor(async () => readLease(await leases.get(leaseKey))?.owner === survivor.id, {
      what: "the survivor to take the lease",
      timeoutMs: 15_000,
    });
    await waitFor(
      async () => (await nginx.stat())[0]!.accepted > acceptedBefore && await flowing(nginx, key),
      { what: "media at the destination again", timeoutMs: 15_000 },
    );
    const recoveredMs = Date.now() - killedAt;
    assert.ok(recoveredMs >= 0);
    assert.ok(publisher.starts >= 2, "the publisher reconnected to the new owner");

    // Reads answered by the survivor reflect the group it now runs.
    const active = await callCommand(bus, COMMANDS.get_active_group_ids, { meta, args: {} });
    assert.deepEqual(active, ["main"]);
    const state = await callCommand(bus, COMMANDS.get_stream_state, { meta, args: {} });
    assert.equal(state.ingest.state, "live");
    assert.equal(state.groups[0]?.groupId, "main");

    assert.equal(await callCommand(bus, COMMANDS.stop_all_streams, { meta, args: {} }), null);
    assert.equal(await leases.get(leaseKey), null, "the lease was handed back");
    assert.equal(await callCommand(bus, COMMANDS.get_active_stream_count, { meta, args: {} }), 0);
    for (const worker of workers) {
      assert.ok(!worker.output().includes(key), `${worker.id} logged the stream key`);
    }
  } finally {
    await publisher?.stop();
    await Promise.all(workers.map(stopWorker));
    await leases.close();
    await nc.close();
    await bus.close();
    await nginx.stop();
    await nats.stop();
    await Deno.remove(root, { recursive: true });
  }
});
