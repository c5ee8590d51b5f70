import assert from "node:assert/strict";
import { AppError, EVENT_STREAM } from "@spiritstream/contracts";
import { startNatsServer, waitFor } from "@spiritstream/testing";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { Bus } from "./bus.ts";
import { busContract } from "./contract.ts";
import { createNatsBus } from "./nats.ts";

busContract("NATS", {
  async create() {
    const server = await startNatsServer();
    const buses: Bus[] = [];
    async function open(): Promise<Bus> {
      const bus = await createNatsBus({ servers: server.url, name: "contract" });
      buses.push(bus);
      return bus;
    }
    async function cleanup(): Promise<void> {
      for (const bus of buses) await bus.close();
      await server.stop();
    }
    try {
      return { bus: await open(), peer: open, cleanup };
    } catch (error) {
      await cleanup();
      throw error;
    }
  },
});

function isUnavailable(message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, "unavailable");
    assert.equal(error.message, message);
    return true;
  };
}

Deno.test("createNatsBus() rides out a server crash and restart", async () => {
  const server = await startNatsServer();
  const buses: Bus[] = [];
  const { promise: stuck, resolve: unstick } = Promise.withResolvers<void>();
  try {
    const bus = await createNatsBus({ servers: server.url });
    buses.push(bus);
    const peer = await createNatsBus({ servers: server.url });
    buses.push(peer);
    const echo = peer.serve("t.outage.echo", (data) => Promise.resolve(data));
    const slow = peer.serve("t.outage.slow", async () => {
      await stuck;
      return "late";
    });
    await Promise.all([echo.ready, slow.ready]);
    const subject = "ss.evt.outage.x";
    const seqs = [await bus.append(subject, { n: 1 }), await bus.append(subject, { n: 2 })];
    const got: number[] = [];
    const follow = peer.follow(subject, { fromSeq: seqs[0] }, (record) => {
      got.push(record.seq);
    });
    await waitFor(() => got.length === 2, { what: "records before the outage" });

    // A request in flight when the server dies fails at once, not after its long timeout.
    const inFlight = assert.rejects(
      bus.request("t.outage.slow", {}, { timeoutMs: 120_000 }),
      isUnavailable("Message bus unavailable"),
    );
    await server.kill();
    await inFlight;
    await waitFor(() => bus.status() === "reconnecting" && peer.status() === "reconnecting", {
      what: "both buses to notice the outage",
    });
    await assert.rejects(
      bus.request("t.outage.echo", {}, { timeoutMs: 120_000 }),
      isUnavailable("Message bus unavailable"),
    );
    await assert.rejects(bus.append(subject, { n: 0 }), isUnavailable("Message bus unavailable"));
    await assert.rejects(bus.lastSeq(), isUnavailable("Message bus unavailable"));

    await server.restart();
    await waitFor(() => bus.status() === "connected" && peer.status() === "connected", {
      what: "both buses to reconnect",
      timeoutMs: 20_000,
    });
    // The peer re-subscribes on reconnect; its service answers again without any help.
    const reply = await waitFor(
      () => bus.request("t.outage.echo", { back: true }, { timeoutMs: 1_000 }),
      { what: "the service to answer after the restart" },
    );
    assert.deepEqual(reply, { back: true });
    for (let n = 3; n <= 5; n++) seqs.push(await bus.append(subject, { n }));
    await waitFor(() => got.length >= 5, { what: "records after the outage", timeoutMs: 20_000 });
    seqs.push(await bus.append(subject, { n: 6 }));
    await waitFor(() => got.length >= 6, { what: "the last record" });
    assert.deepEqual(got, seqs);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5, 6]);
    await follow.close();
  } finally {
    unstick();
    for (const bus of buses) await bus.close();
    await server.stop();
  }
});

Deno.test("createNatsBus() creates the event stream once when processes start together", async () => {
  const server = await startNatsServer();
  const buses: Bus[] = [];
  const nc = await connect({ servers: server.url });
  try {
    const started = await Promise.allSettled(
      [1, 2, 3].map(() => createNatsBus({ servers: server.url })),
    );
    for (const result of started) {
      if (result.status === "fulfilled") buses.push(result.value);
    }
    for (const result of started) if (result.status === "rejected") throw result.reason;
    const changed = await createNatsBus({ servers: server.url, stream: { maxMsgs: 50 } });
    buses.push(changed);
    const jsm = await jetstreamManager(nc);
    const streams = await jsm.streams.list().next();
    assert.deepEqual(streams.map((s) => s.config.name), [EVENT_STREAM]);
    const { config } = await jsm.streams.info(EVENT_STREAM);
    assert.deepEqual(config.subjects, ["ss.evt.>"]);
    assert.equal(config.storage, "file");
    assert.equal(config.max_msgs, 50);
    assert.equal(await buses[0]!.append("ss.evt.local.x", {}), 1);
    assert.equal(await changed.lastSeq(), 1);
  } finally {
    await nc.close();
    for (const bus of buses) await bus.close();
    await server.stop();
  }
});

Deno.test("createNatsBus() fails with unavailable when no server answers", async () => {
  const server = await startNatsServer();
  const url = server.url;
  await server.stop();
  await assert.rejects(createNatsBus({ servers: url }), isUnavailable("Message bus unavailable"));
});
