import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { COMMANDS, LOCAL_TENANT } from "@spiritstream/contracts";
import { callCommand } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import {
  ensureTestClip,
  freePort,
  type NginxRtmp,
  startNatsServer,
  startNginxRtmp,
  waitFor,
} from "@spiritstream/testing";
import { readLease } from "./leases/lease.ts";
import { createNatsLeaseStore } from "./leases/nats_lease_store.ts";
import { sealLeaseStore } from "./leases/sealed_lease_store.ts";
import { storeKey } from "./leases/store_key.ts";
import { openSrtCaller } from "./srt/srt_caller.ts";
import { type SrtPeer, srtPublisher } from "./srt/testdata/srt_peers.ts";
import { copyGroup, rtmpTarget } from "./testdata/encoder_harness.ts";
import {
  startWorkerProcess,
  stopWorkerProcess,
  WORKER_SECRET,
  type WorkerProcess,
} from "./testdata/worker_process.ts";

/*
 * Ownership follows the SRT caller: two encoder worker processes over a real nats-server, each
 * with a shared SRT listener (SPIRITSTREAM_INGEST_SRT_LISTEN). The caller reaches the worker that
 * does not run its tenant: that worker knows the tenant's passphrase from the desired state,
 * accepts the handshake, claims the tenant and feeds its destination.
 */

const INGEST_KEY = "obs-srt-ingest-key-0123456789";
const PASSPHRASE = "obs-srt-passphrase-0123456789";
const DEST_KEY = "platform-key-any-worker-srt";

async function flowing(nginx: NginxRtmp): Promise<boolean> {
  const bytes = async () =>
    (await nginx.stat())[0]!.streams.find((s) => s.name === DEST_KEY && s.publishing)?.bytesIn ??
      0;
  const first = await bytes();
  await new Promise((resolve) => setTimeout(resolve, 700));
  return first > 0 && await bytes() > first;
}

async function refusal(port: number, streamId: string, passphrase: string): Promise<string> {
  const url = `srt://127.0.0.1:${port}?streamid=${streamId}&passphrase=${passphrase}`;
  try {
    const socket = await openSrtCaller(url, AbortSignal.timeout(10_000));
    await socket.close();
    return "accepted";
  } catch (error) {
    return (error as Error).message;
  }
}

Deno.test("an SRT caller reaching the worker that does not run its tenant: the tenant moves there", async () => {
  const nats = await startNatsServer();
  const nginx = await startNginxRtmp({ apps: 1 });
  const clip = await ensureTestClip();
  const root = await Deno.makeTempDir({ prefix: "encoder_any_worker_srt_" });
  const ports = { "worker-a": freePort(), "worker-b": freePort() };
  const start = (id: keyof typeof ports) =>
    startWorkerProcess(id, {
      natsUrl: nats.url,
      dataDir: `${root}/${id}`,
      env: { SPIRITSTREAM_INGEST_SRT_LISTEN: `127.0.0.1:${ports[id]}` },
    });
  const ready = (worker: WorkerProcess) =>
    waitFor(() => worker.output().includes("Encoder service is ready"), {
      what: `${worker.id} to start`,
      timeoutMs: 60_000,
    }).catch((error) => {
      throw new Error(`${error.message}: ${worker.output()}`);
    });
  const workers: WorkerProcess[] = [];
  const bus = await createNatsBus({ servers: nats.url, name: "any-worker-srt-test" });
  const nc = await connect({ servers: nats.url });
  const leases = sealLeaseStore(await createNatsLeaseStore(nc), WORKER_SECRET);
  const owner = async () =>
    readLease(await leases.get(storeKey("lease", LOCAL_TENANT)))?.owner ?? null;
  let publisher: SrtPeer | null = null;
  try {
    workers.push(start("worker-a"));
    await ready(workers[0]!);
    const meta = {
      requestId: "r",
      tenantId: LOCAL_TENANT,
      userId: null,
      role: "admin" as const,
      ip: null,
    };
    await callCommand(bus, COMMANDS.start_all_streams, {
      meta,
      args: {
        groups: [copyGroup("main", [rtmpTarget("t1", nginx.ports[0]!, DEST_KEY)])],
        incomingUrl: "srt://0.0.0.0:9000",
        input: {
          type: "srt",
          bindAddress: "0.0.0.0",
          port: 9000,
          streamKey: INGEST_KEY,
          srtPassphrase: PASSPHRASE,
          srtLatencyMs: 120,
        },
      },
    }, { timeoutMs: 30_000 });
    await waitFor(async () => (await owner()) === "worker-a", { what: "worker-a owns the tenant" });
    workers.push(start("worker-b"));
    await ready(workers[1]!);

    // worker-b runs nothing, yet knows every tenant's key and passphrase (the desired state).
    const port = ports["worker-b"];
    assert.match(await refusal(port, "not-a-tenant-key-0123", PASSPHRASE), /stream id/);
    assert.match(await refusal(port, INGEST_KEY, "not-the-passphrase-0123"), /passphrase/);
    assert.equal(await owner(), "worker-a", "a refused caller moves nothing");

    const query = `mode=caller&latency=120000&streamid=${INGEST_KEY}&passphrase=${PASSPHRASE}`;
    publisher = srtPublisher(`srt://127.0.0.1:${port}?${query}`, clip);
    await waitFor(() => flowing(nginx), { what: "media at the destination", timeoutMs: 30_000 })
      .catch((error) => {
        throw new Error(`${error.message}: ${workers[1]!.output().slice(-3000)}`);
      });
    assert.equal(await owner(), "worker-b");
    const claims = [
      ...workers[1]!.output().matchAll(/"ms":(\d+)[^\n]*"Claimed the tenant of an SRT caller"/g),
    ].map((m) => Number(m[1]));
    assert.equal(claims.length, 1, workers[1]!.output().slice(-3000));
    // deno-lint-ignore no-console
    console.log(`SRT caller accepted → tenant claimed by worker-b: ${claims[0]} ms`);
    const state = await callCommand(bus, COMMANDS.get_stream_state, { meta, args: {} });
    assert.equal(state.ingest.state, "live");

    await publisher.stop();
    publisher = null;
    assert.equal(await callCommand(bus, COMMANDS.stop_all_streams, { meta, args: {} }), null);
    for (const worker of workers) {
      for (const secret of [INGEST_KEY, PASSPHRASE, DEST_KEY]) {
        assert.ok(!worker.output().includes(secret), `${worker.id} logged a secret`);
      }
    }
  } finally {
    await publisher?.stop();
    await Promise.all(workers.map(stopWorkerProcess));
    await leases.close();
    await nc.close();
    await bus.close();
    await nginx.stop();
    await nats.stop();
    await Deno.remove(root, { recursive: true });
  }
});
