import assert from "node:assert/strict";
import { COMMANDS, EVENTS, LOCAL_TENANT, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand, createEventPublisher } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import { freePort, startNatsServer, waitFor } from "@spiritstream/testing";
import { type Frame, openNeverReadingWs, openWs, type TestWs } from "./testdata/ws_clients.ts";
import { type SpawnedService, spawnService } from "./testdata/spawn_service.ts";
import { TOO_SLOW_CODE } from "./ws_connection.ts";

const META: RequestMeta = {
  requestId: "cluster-test",
  tenantId: LOCAL_TENANT,
  userId: null,
  role: "admin",
  ip: null,
};

/** Frames this test published (services forward their own warnings as log events too). */
function ours(frame: Frame): boolean {
  if (frame.event === "snapshot") return false;
  if (frame.event !== "log://log") return true;
  return (frame.payload as { message: string }).message.startsWith("cluster ");
}

function isBig(frame: Frame): boolean {
  return frame.event === "log://log" &&
    (frame.payload as { message: string }).message.startsWith("cluster big ");
}

async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

Deno.test("two gateways over NATS fan out every event once per client, drop a stuck client, resume by id, snapshot, isolate tenants", async (t) => {
  const nats = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-ws-cluster-" });
  const children: SpawnedService[] = [];
  const sockets: TestWs[] = [];
  let bus: Bus | undefined;
  try {
    const env = { SPIRITSTREAM_NATS_URL: nats.url, SPIRITSTREAM_DATA_DIR: dir, HOME: dir };
    children.push(spawnService("services/events/main.ts", env));
    const ports = [freePort(), freePort()];
    for (const port of ports) {
      children.push(spawnService("gateway/main.ts", { ...env, SPIRITSTREAM_PORT: String(port) }));
    }
    for (const port of ports) {
      await waitFor(() => healthy(port), { timeoutMs: 60_000, what: `gateway on ${port}` })
        .catch((error) => {
          throw new Error(`${error.message}\n${children.map((c) => c.output()).join("\n")}`);
        });
    }
    bus = await createNatsBus({ servers: nats.url });
    const events = createEventPublisher(bus, EVENTS);
    const emitLog = (tenant: string, message: string) =>
      events.emit(tenant, "log://log", { level: 3, message, target: "cluster" });
    const url = (i: number, query = "") => `ws://127.0.0.1:${ports[i]}/ws${query}`;
    const open = async (i: number, query = ""): Promise<TestWs> => {
      const ws = await openWs(url(i, query));
      sockets.push(ws);
      return ws;
    };

    // A control client on each gateway stays connected throughout.
    const control = [await open(0), await open(1)];

    await t.step(
      "every client on either gateway gets every event of its tenant exactly once",
      async () => {
        const clients = [...control, await open(0), await open(0), await open(1), await open(1)];
        await new Promise((resolve) => setTimeout(resolve, 200));
        const published: number[] = [];
        for (let i = 0; i < 60; i++) {
          if (i % 4 === 3) {
            await emitLog("b", `cluster b ${i}`);
            continue;
          }
          published.push(
            i % 4 === 0
              ? await events.emit(LOCAL_TENANT, "profile_changed", {
                action: "saved",
                name: `p${i}`,
              })
              : await emitLog(LOCAL_TENANT, `cluster ${i}`),
          );
        }
        for (const ws of clients) {
          const got = (await ws.waitFor(published.length, ours)).map((f) => Number(f.id));
          assert.deepEqual(got, published);
          const ids = ws.frames.map((f) => f.id);
          assert.equal(new Set(ids).size, ids.length, "no event twice");
          assert.ok(!JSON.stringify(ws.frames).includes("cluster b"), "no event of tenant b");
        }
        for (const ws of clients.slice(2)) await ws.close();
      },
    );

    await t.step(
      "a reconnecting client gets exactly what it missed, on the other gateway",
      async () => {
        const leaving = await open(0);
        await emitLog(LOCAL_TENANT, "cluster before the drop");
        const [seen] = await leaving.waitFor(1, ours);
        const lastId = Number(leaving.frames.at(-1)!.id);
        await leaving.close();
        const missed: number[] = [];
        for (let i = 0; i < 20; i++) {
          missed.push(await emitLog(LOCAL_TENANT, `cluster missed ${i}`));
        }
        const back = await open(1, `?since=${lastId}`);
        const got = await back.waitFor(20, ours);
        assert.deepEqual(got.map((f) => Number(f.id)), missed);
        assert.ok(Number(seen!.id) <= lastId);
        // Exactly what a client that never left saw after that id: nothing more, nothing less.
        await control[0]!.waitFor(1, (f) => Number(f.id) === missed.at(-1));
        await new Promise((resolve) => setTimeout(resolve, 100));
        const expected = control[0]!.frames.filter((f) => Number(f.id) > lastId);
        assert.deepEqual(back.frames, expected);
        await back.close();
      },
    );

    await t.step("snapshot on connect shows the tenant's streams and latest stats", async () => {
      await events.emit(LOCAL_TENANT, "target_status", {
        groupId: "g1",
        targetId: "yt",
        state: "live",
        attempt: 0,
        nextRetryMs: null,
        error: null,
      });
      const stats = {
        groupId: "g1",
        frame: 300,
        fps: 30,
        bitrate: 6000,
        speed: 1,
        size: 1,
        time: 10,
        droppedFrames: 0,
        dupFrames: 0,
      };
      const last = await events.emit(LOCAL_TENANT, "stream_stats", stats);
      await events.emit("b", "target_status", {
        groupId: "gb",
        targetId: "tb",
        state: "live",
        attempt: 0,
        nextRetryMs: null,
        error: null,
      });
      await control[1]!.waitFor(1, (f) => Number(f.id) === last);
      const ws = await open(1, "?snapshot=1");
      const [first] = await ws.waitFor(1);
      assert.equal(first!.event, "snapshot");
      assert.ok(Number(first!.id) >= last);
      const payload = first!.payload as {
        streams: { groups: { groupId: string; state: string }[] };
        stats: Record<string, unknown>;
      };
      assert.deepEqual(payload.streams.groups.map((g) => [g.groupId, g.state]), [["g1", "live"]]);
      assert.deepEqual(payload.stats.g1, stats);
      assert.ok(!JSON.stringify(payload).includes("gb"), "no state of tenant b");
      await ws.close();
    });

    await t.step(
      "a client that never reads is closed with 4008; the others keep receiving; it resumes by id",
      async () => {
        const stuck = await openNeverReadingWs(ports[0]!, "/ws");
        try {
          await new Promise((resolve) => setTimeout(resolve, 200));
          const big = "x".repeat(8 * 1024);
          const published: number[] = [];
          for (let i = 0; i < 1200; i++) {
            published.push(await emitLog(LOCAL_TENANT, `cluster big ${i} ${big}`));
            // The readers share this process (and two cores) with the publisher: let them keep up.
            if (i % 50 === 49) {
              await Promise.all(control.map((ws) => ws.waitFor(i - 49, isBig, 60_000)));
            }
          }
          for (const ws of control) {
            const got = await ws.waitFor(published.length, isBig, 60_000);
            assert.deepEqual(got.map((f) => Number(f.id)), published);
          }
          const { texts, code, reason } = await stuck.readAll();
          assert.equal(code, TOO_SLOW_CODE);
          const lastSeen = JSON.parse(texts.at(-1)!).id as string;
          assert.equal(reason, `Too slow: resume with since=${lastSeen}`);
          const received = texts.map((text) => JSON.parse(text) as Frame).filter(ours).map((f) =>
            Number(f.id)
          );
          assert.ok(received.length < published.length, "it fell behind");

          const resumed = await open(1, `?since=${lastSeen}`);
          const rest = published.filter((id) => id > Number(lastSeen));
          const got = await resumed.waitFor(rest.length, ours, 60_000);
          assert.deepEqual([...received, ...got.map((f) => Number(f.id))], published);
          await resumed.close();
        } finally {
          stuck.close();
        }
      },
    );

    await t.step("the events service keeps each tenant's logs for get_recent_logs", async () => {
      const recent = (tenantId: string) =>
        callCommand(bus!, COMMANDS.get_recent_logs, {
          meta: { ...META, tenantId },
          args: { maxLines: 100_000 },
        });
      const lines = await waitFor(async () => {
        const got = await recent(LOCAL_TENANT);
        return got.some((line) => line.includes("cluster big 1199")) ? got : null;
      }, { timeoutMs: 30_000, what: "the last big line" });
      assert.match(
        lines.at(-1)!,
        /^\[[\d-]{10}\]\[[\d:]{8}\]\[cluster\]\[INFO\] cluster big 1199 x+$/,
      );
      assert.ok(lines.length < 1200, "a reply fits one bus message: the newest lines only");
      const b = await recent("b");
      assert.deepEqual(
        b.map((line) => line.split("] ")[1]),
        Array.from({ length: 15 }, (_, i) => `cluster b ${i * 4 + 3}`),
      );
    });
  } finally {
    for (const ws of sockets) await ws.close().catch(() => {});
    await bus?.close();
    for (const child of children) await child.stop();
    await nats.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
