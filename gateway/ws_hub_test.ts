import assert from "node:assert/strict";
import { EVENTS } from "@spiritstream/contracts";
import { type Bus, createEventPublisher, createMemoryBus } from "@spiritstream/bus";
import { createLogger } from "@spiritstream/kit";
import { waitFor } from "@spiritstream/testing";
import { openNeverReadingWs, openWs, type TestWs } from "./testdata/ws_clients.ts";
import { createWsHub, TOO_SLOW_CODE, type WsHub, type WsHubOptions } from "./ws_hub.ts";
import { parseWsQuery } from "./ws_query.ts";
import { WsSocketClient } from "./ws_socket_client.ts";

const quiet = createLogger({ level: "warn", destination: { write() {} } });

interface HubServer {
  bus: Bus;
  hub: WsHub;
  port: number;
  /** `ws://…/ws?tenant=<tenant>&<query>` */
  url(tenant: string, query?: string): string;
  emit: ReturnType<typeof createEventPublisher<typeof EVENTS>>["emit"];
  log(tenant: string, message: string): Promise<number>;
  close(): Promise<void>;
}

/** A hub behind a bare Deno server whose clients name their tenant in the query. */
async function hubServer(
  options: Partial<WsHubOptions> = {},
  seed?: (bus: Bus) => Promise<void>,
): Promise<HubServer> {
  const bus = createMemoryBus();
  await seed?.(bus);
  const hub = createWsHub(bus, { logger: quiet, ...options });
  await hub.ready;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const query = Object.fromEntries(new URL(request.url).searchParams);
    const join = parseWsQuery(query);
    const { socket, response } = Deno.upgradeWebSocket(request);
    // As the gateway's route does: joined at the upgrade, frames wait for the socket's open.
    const client = new WsSocketClient(socket, query.tenant ?? "local");
    const remove = hub.add(client, join);
    socket.onopen = () => client.opened();
    socket.onclose = socket.onerror = () => remove();
    return response;
  });
  const port = server.addr.port;
  const publisher = createEventPublisher(bus, EVENTS);
  return {
    bus,
    hub,
    port,
    url: (tenant, query = "") => `ws://127.0.0.1:${port}/ws?tenant=${tenant}&${query}`,
    emit: publisher.emit,
    log: (tenant, message) =>
      publisher.emit(tenant, "log://log", { level: 3, message, target: "test" }),
    async close() {
      await hub.close();
      await server.shutdown();
      await bus.close();
    },
  };
}

const isLog = (frame: { event: string }) => frame.event === "log://log";
const messages = (ws: TestWs) =>
  ws.frames.filter(isLog).map((f) => (f.payload as { message: string }).message);

Deno.test("createWsHub() gives each client every event of its tenant once, in order, and nothing of another tenant", async () => {
  const s = await hubServer();
  const clients: TestWs[] = [];
  try {
    const [a1, a2, b1] = await Promise.all([
      openWs(s.url("a")),
      openWs(s.url("a")),
      openWs(s.url("b")),
    ]);
    clients.push(a1!, a2!, b1!);
    await waitFor(() => s.hub.size() === 3, { what: "3 clients" });
    const seqs: Record<string, number[]> = { a: [], b: [] };
    for (let i = 0; i < 30; i++) {
      const tenant = i % 3 === 0 ? "b" : "a";
      seqs[tenant]!.push(await s.log(tenant, `${tenant} ${i}`));
    }
    for (const ws of [a1!, a2!]) {
      await ws.waitFor(20, isLog);
      assert.deepEqual(ws.frames.map((f) => Number(f.id)), seqs.a);
      assert.ok(messages(ws).every((m) => m.startsWith("a ")));
    }
    await b1!.waitFor(10, isLog);
    assert.deepEqual(b1!.frames.map((f) => Number(f.id)), seqs.b);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(a1!.frames.length, 20, "no duplicates");
    assert.equal(b1!.frames.length, 10, "no duplicates");
  } finally {
    for (const ws of clients) await ws.close();
    await s.close();
  }
});

Deno.test("createWsHub() replays exactly what a client missed when it comes back with since=<id>", async () => {
  const s = await hubServer();
  try {
    const first = await openWs(s.url("a"));
    await s.log("a", "seen 1");
    await s.log("b", "other tenant");
    await s.log("a", "seen 2");
    await first.waitFor(2);
    const lastId = first.frames.at(-1)!.id;
    await first.close();
    const missed = [
      await s.log("a", "missed 1"),
      await s.log("b", "x"),
      await s.log("a", "missed 2"),
    ];
    const again = await openWs(s.url("a", `since=${lastId}`));
    await again.waitFor(2);
    await s.log("a", "live");
    await again.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(messages(again), ["missed 1", "missed 2", "live"]);
    assert.deepEqual(again.frames.slice(0, 2).map((f) => Number(f.id)), [missed[0], missed[2]]);
    await again.close();
  } finally {
    await s.close();
  }
});

Deno.test("createWsHub() reads history older than its ring back from the bus, then joins live without a gap", async () => {
  const s = await hubServer({ replayFrames: 5 });
  try {
    for (let i = 1; i <= 40; i++) await s.log(i % 4 === 0 ? "b" : "a", `m${i}`);
    const ws = await openWs(s.url("a", "since=3"));
    const expected = Array.from({ length: 40 }, (_, i) => i + 1).filter((i) =>
      i > 3 && i % 4 !== 0
    );
    await ws.waitFor(expected.length);
    for (let i = 41; i <= 45; i++) await s.log("a", `m${i}`);
    await ws.waitFor(expected.length + 5);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(messages(ws), [...expected, 41, 42, 43, 44, 45].map((i) => `m${i}`));
    await ws.close();
  } finally {
    await s.close();
  }
});

Deno.test("createWsHub() rebuilds snapshots and replay from the stream's history when it starts", async () => {
  const s = await hubServer({}, async (bus) => {
    const early = createEventPublisher(bus, EVENTS);
    await early.emit("a", "ingest_status", {
      state: "live",
      url: "rtmp://127.0.0.1:1935/live",
      remoteAddr: "10.0.0.5",
      since: 1000,
    });
    for (const [targetId, state] of [["t1", "live"], ["t2", "reconnecting"]] as const) {
      await early.emit("a", "target_status", {
        groupId: "g1",
        targetId,
        state,
        attempt: state === "live" ? 0 : 2,
        nextRetryMs: state === "live" ? null : 4000,
        error: state === "live" ? null : "Connection refused",
      });
    }
    await early.emit("a", "target_status", {
      groupId: "g2",
      targetId: "t3",
      state: "live",
      attempt: 0,
      nextRetryMs: null,
      error: null,
    });
    await early.emit("a", "stream_stats", stats("g1", 100));
    await early.emit("a", "stream_ended", "g2");
    await early.emit("b", "target_status", {
      groupId: "gb",
      targetId: "tb",
      state: "live",
      attempt: 0,
      nextRetryMs: null,
      error: null,
    });
  });
  try {
    const ws = await openWs(s.url("a", "snapshot=1"));
    const [snapshot] = await ws.waitFor(1);
    assert.equal(snapshot!.event, "snapshot");
    assert.equal(snapshot!.id, String(s.hub.lastId()));
    const payload = snapshot!.payload as {
      streams: {
        groups: {
          groupId: string;
          state: string;
          targets: {
            targetId: string;
            state: string;
            lastError: string | null;
            nextRetryAt: number | null;
          }[];
        }[];
        ingest: unknown;
      };
      stats: Record<string, { frame: number }>;
    };
    assert.deepEqual(payload.streams.ingest, {
      state: "live",
      url: "rtmp://127.0.0.1:1935/live",
      publisher: "10.0.0.5",
      since: 1000,
    });
    assert.deepEqual(payload.streams.groups.map((g) => [g.groupId, g.state]), [["g1", "live"]]);
    const [t1, t2] = payload.streams.groups[0]!.targets;
    assert.deepEqual([t1!.targetId, t1!.state, t2!.targetId, t2!.state], [
      "t1",
      "live",
      "t2",
      "reconnecting",
    ]);
    assert.equal(t2!.lastError, "Connection refused");
    assert.ok(t2!.nextRetryAt! > 4000);
    assert.deepEqual(Object.keys(payload.stats), ["g1"]);
    assert.equal(payload.stats.g1!.frame, 100);
    assert.ok(!JSON.stringify(payload).includes("gb"), "no other tenant's state");

    // The whole history is still there to replay.
    const replay = await openWs(s.url("b", "since=0"));
    const [only] = await replay.waitFor(1);
    assert.equal((only!.payload as { groupId: string }).groupId, "gb");
    // A live event after the snapshot follows it.
    await s.emit("a", "stream_ended", "g1");
    const [, ended] = await ws.waitFor(2);
    assert.equal(ended!.event, "stream_ended");
    assert.ok(Number(ended!.id) > Number(snapshot!.id));
    const later = await openWs(s.url("a", "snapshot=1"));
    const [next] = await later.waitFor(1);
    assert.deepEqual((next!.payload as typeof payload).streams.groups, []);
    for (const c of [ws, replay, later]) await c.close();
  } finally {
    await s.close();
  }
});

function stats(groupId: string, frame: number) {
  return {
    groupId,
    frame,
    fps: 30,
    bitrate: 6000,
    speed: 1,
    size: frame * 1000,
    time: frame / 30,
    droppedFrames: 0,
    dupFrames: 0,
  };
}

Deno.test("createWsHub() coalesces stats to one per group per interval per client; the newest wins and ids never go back", async () => {
  const s = await hubServer({ statsIntervalMs: 300 });
  try {
    const ws = await openWs(s.url("a"));
    await waitFor(() => s.hub.size() === 1, { what: "the client" });
    await s.emit("a", "stream_stats", stats("g1", 0));
    await s.log("a", "between");
    for (let i = 1; i <= 20; i++) {
      await s.emit("a", "stream_stats", stats("g1", i));
      await s.emit("a", "stream_stats", stats("g2", i));
    }
    await s.log("a", "after");
    const isG1 = (f: { event: string; payload: unknown }) =>
      f.event === "stream_stats" && (f.payload as { groupId: string }).groupId === "g1";
    await ws.waitFor(2, isG1);
    await new Promise((resolve) => setTimeout(resolve, 700));
    const g1 = ws.frames.filter(isG1).map((f) => (f.payload as { frame: number }).frame);
    assert.deepEqual(g1, [0, 20]);
    const g2 = ws.frames.filter((f) => f.event === "stream_stats" && !isG1(f));
    assert.deepEqual(g2.map((f) => (f.payload as { frame: number }).frame), [1, 20]);
    assert.deepEqual(messages(ws), ["between", "after"]);
    const ids = ws.frames.map((f) => Number(f.id));
    assert.deepEqual(ids, [...ids].sort((x, y) => x - y), "ids never go back");
    await ws.close();
  } finally {
    await s.close();
  }
});

/** The frames of one group (its stats, status and end), as event names, after its end. */
function afterEnd(ws: TestWs, groupId: string): string[] {
  const end = ws.frames.findIndex((f) => f.event === "stream_ended" && f.payload === groupId);
  assert.ok(end >= 0, `stream_ended ${groupId} arrived`);
  return ws.frames.slice(end + 1)
    .filter((f) => (f.payload as { groupId?: string } | null)?.groupId === groupId)
    .map((f) => f.event);
}

function targetStats(groupId: string, targetId: string, bytes: number) {
  return { groupId, targetId, bitrate: 6000, bytes, fps: 30, uptimeSecs: 1, reconnects: 0 };
}

Deno.test("createWsHub() drops a group's parked stats when its stream_ended passes; other groups keep theirs", async () => {
  const s = await hubServer({ statsIntervalMs: 400 });
  try {
    const ws = await openWs(s.url("a"));
    await waitFor(() => s.hub.size() === 1, { what: "the client" });
    for (const frame of [0, 1]) {
      await s.emit("a", "stream_stats", stats("g1", frame));
      await s.emit("a", "target_stats", targetStats("g1", "t1", frame));
      await s.emit("a", "stream_stats", stats("g2", frame));
    }
    // g1's second stats wait for their interval; then g1 ends.
    await s.emit("a", "stream_ended", "g1");
    const isG2 = (f: { event: string; payload: unknown }) =>
      (f.payload as { groupId?: string } | null)?.groupId === "g2";
    await ws.waitFor(2, isG2);
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.deepEqual(afterEnd(ws, "g1"), []);
    assert.deepEqual(
      ws.frames.filter(isG2).map((f) => (f.payload as { frame: number }).frame),
      [0, 1],
      "g2's parked stats still go out",
    );
    await ws.close();
  } finally {
    await s.close();
  }
});

Deno.test("createWsHub() drops stats that reach the stream after their group's stream_ended, until the group is back", async () => {
  const s = await hubServer({ statsIntervalMs: 0 });
  try {
    const ws = await openWs(s.url("a"));
    await waitFor(() => s.hub.size() === 1, { what: "the client" });
    await s.emit("a", "stream_stats", stats("g1", 1));
    await s.emit("a", "stream_ended", "g1");
    // Late: published after the end (a lagging worker, a publish that overtook the end).
    await s.emit("a", "stream_stats", stats("g1", 2));
    await s.emit("a", "target_stats", targetStats("g1", "t1", 2));
    await s.log("a", "marker");
    await ws.waitFor(1, isLog);
    assert.deepEqual(afterEnd(ws, "g1"), []);
    const snapshot = await openWs(s.url("a", "snapshot=1"));
    const [first] = await snapshot.waitFor(1);
    const streams = (first!.payload as { streams: { groups: unknown[] } }).streams;
    assert.deepEqual(streams.groups, [], "the ended group stays out of the snapshot");
    // Started again: its targets report first, then its stats flow.
    await s.emit("a", "target_status", {
      groupId: "g1",
      targetId: "t1",
      state: "connecting",
      attempt: 0,
      nextRetryMs: null,
      error: null,
    });
    await s.emit("a", "stream_stats", stats("g1", 3));
    const [again] = await ws.waitFor(
      1,
      (f) => f.event === "stream_stats" && (f.payload as { frame: number }).frame === 3,
    );
    assert.ok(again);
    for (const c of [ws, snapshot]) await c.close();
  } finally {
    await s.close();
  }
});

Deno.test("createWsHub() skips late stats of an ended group in history read back from the bus, too", async () => {
  const s = await hubServer({ statsIntervalMs: 0, replayFrames: 4 }, async (bus) => {
    const publisher = createEventPublisher(bus, EVENTS);
    await publisher.emit("a", "stream_stats", stats("g1", 1));
    await publisher.emit("a", "stream_ended", "g1");
    await publisher.emit("a", "stream_stats", stats("g1", 2)); // late
    for (let i = 0; i < 10; i++) {
      await publisher.emit("a", "log://log", { level: 3, message: `m${i}`, target: "test" });
    }
  });
  try {
    // Older than the ring: read back from the bus.
    const ws = await openWs(s.url("a", "since=0"));
    await ws.waitFor(10, isLog);
    assert.deepEqual(afterEnd(ws, "g1"), []);
    await ws.close();
  } finally {
    await s.close();
  }
});

Deno.test("createWsHub() closes a client that never reads with 4008 after its bound; the others keep up; it resumes by id", async () => {
  const s = await hubServer({ maxQueueBytes: 256 * 1024, socketHighWater: 64 * 1024 });
  let stuck: Awaited<ReturnType<typeof openNeverReadingWs>> | undefined;
  try {
    const reader = await openWs(s.url("local"));
    stuck = await openNeverReadingWs(s.port, "/ws?tenant=local");
    await waitFor(() => s.hub.size() === 2, { what: "2 clients" });
    const big = "x".repeat(8 * 1024);
    const total = 1000;
    for (let i = 1; i <= total; i++) {
      await s.log("local", `${i} ${big}`);
      // A steady flow the reader can follow (a tight loop never lets any socket write).
      if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    await reader.waitFor(total, isLog, 30_000);
    await waitFor(() => s.hub.size() === 1, { what: "the stuck client to be dropped" });
    const ids = reader.frames.map((f) => Number(f.id));
    assert.equal(new Set(ids).size, total, "the reader got every event once");

    const { texts, code, reason } = await stuck.readAll();
    assert.equal(code, TOO_SLOW_CODE);
    const match = reason.match(/^Too slow: resume with since=(\d+)$/);
    assert.ok(match, reason);
    const lastSeen = JSON.parse(texts.at(-1)!).id;
    assert.equal(match[1], lastSeen, "the resume id is the last frame it was given");
    assert.ok(texts.length < total, "it fell behind");
    stuck.close();
    stuck = undefined;

    const resumed = await openWs(s.url("local", `since=${lastSeen}`));
    const missing = total - texts.length;
    await resumed.waitFor(missing, isLog, 30_000);
    const got = [
      ...texts.map((t) => Number(JSON.parse(t).id)),
      ...resumed.frames.map((f) => Number(f.id)),
    ];
    assert.deepEqual(got, ids, "together: every event exactly once");
    await resumed.close();
    await reader.close();
  } finally {
    stuck?.close();
    await s.close();
  }
});

/** A gate that holds whatever waits on it until it is opened. */
function gate(): { wait(): Promise<void>; hold(): void; open(): void } {
  let pending: PromiseWithResolvers<void> | null = null;
  return {
    wait: () => pending?.promise ?? Promise.resolve(),
    hold() {
      pending ??= Promise.withResolvers();
    },
    open() {
      pending?.resolve();
      pending = null;
    },
  };
}

/** Makes the bus deliver records to its followers (the hub's) only while `lag` is open. */
function lagFollowers(bus: Bus, lag: ReturnType<typeof gate>): void {
  const follow = bus.follow.bind(bus);
  bus.follow = (filter, options, handler) =>
    follow(filter, options, async (record) => {
      await lag.wait();
      return handler(record);
    });
}

Deno.test("createWsHub() answers a client that joins ahead of the stream from that id on", async () => {
  // Another replica: the client saw id 2 there; this hub's follower has not received it yet.
  const lag = gate();
  const s = await hubServer({}, (bus) => Promise.resolve(lagFollowers(bus, lag)));
  try {
    await s.log("a", "old");
    await waitFor(() => s.hub.lastId() === 1, { what: "id 1" });
    lag.hold();
    await s.log("a", "seen elsewhere: id 2");
    assert.equal(s.hub.lastId(), 1, "the follower lags");
    const ws = await openWs(s.url("a", "since=2"));
    await waitFor(() => s.hub.size() === 1, { what: "the client" });
    await s.log("a", "sent: id 3");
    lag.open();
    await ws.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(ws.frames.map((f) => [f.event, f.id]), [["log://log", "3"]]);
    assert.deepEqual(messages(ws), ["sent: id 3"]);
    await ws.close();
  } finally {
    lag.open();
    await s.close();
  }
});

Deno.test("createWsHub() joins a client whose id is past the stream's head (the stream restarted) from now, after a stream_reset", async () => {
  const s = await hubServer();
  try {
    await s.log("a", "before 1");
    await s.log("a", "before 2");
    await waitFor(() => s.hub.lastId() === 2, { what: "id 2" });
    const ws = await openWs(s.url("a", "since=500"));
    await ws.waitFor(1);
    await s.log("b", "other tenant");
    await s.log("a", "next");
    await ws.waitFor(1, isLog);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(ws.frames, [
      { event: "stream_reset", payload: {}, id: "2" },
      { event: "log://log", payload: { level: 3, message: "next", target: "test" }, id: "4" },
    ]);
    await ws.close();
  } finally {
    await s.close();
  }
});

Deno.test("createWsHub() still replays what arrived while it asked the bus for its head, once, before the snapshot", async () => {
  const asking = gate();
  const asked = Promise.withResolvers<void>();
  let armed = false;
  const s = await hubServer({}, (bus) => {
    const lastSeq = bus.lastSeq.bind(bus);
    bus.lastSeq = async () => {
      const head = await lastSeq();
      if (!armed) return head;
      asked.resolve();
      await asking.wait();
      return head;
    };
    return Promise.resolve();
  });
  try {
    await s.log("a", "before");
    await waitFor(() => s.hub.lastId() === 1, { what: "id 1" });
    armed = true;
    asking.hold();
    const ws = await openWs(s.url("a", "since=900&snapshot=1"));
    await asked.promise;
    await s.log("a", "meanwhile");
    await waitFor(() => s.hub.lastId() === 2, { what: "id 2" });
    asking.open();
    await ws.waitFor(1, (f) => f.event === "snapshot");
    await s.log("a", "live");
    await ws.waitFor(2, isLog);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(ws.frames.map((f) => [f.event, f.id]), [
      ["stream_reset", "1"],
      ["log://log", "2"],
      ["snapshot", "2"],
      ["log://log", "3"],
    ]);
    assert.deepEqual(messages(ws), ["meanwhile", "live"]);
    await ws.close();
  } finally {
    asking.open();
    await s.close();
  }
});
