import assert from "node:assert/strict";
import {
  COMMANDS,
  eventSubject,
  type RequestMeta,
  type StreamSession,
} from "@spiritstream/contracts";
import { type Bus, callCommand, createMemoryBus } from "@spiritstream/bus";
import { createLogger, type Logger } from "@spiritstream/kit";
import { openSqlite } from "@spiritstream/store/sqlite";
import { waitFor } from "@spiritstream/testing";
import { startEventsService } from "./service.ts";

const quiet: Logger = createLogger({ level: "warn", destination: { write() {} } });
const T0 = 1_790_000_000_000;

function meta(tenantId: string): RequestMeta {
  return { requestId: crypto.randomUUID(), tenantId, userId: null, role: "viewer", ip: null };
}

function emit(bus: Bus, tenantId: string, event: string, payload: unknown, time: number) {
  return bus.append(eventSubject(tenantId, event), { tenantId, event, payload, time });
}

function status(groupId: string, targetId: string, state: string, error: string | null = null) {
  return { groupId, targetId, state, attempt: 0, nextRetryMs: null, error };
}

function stats(groupId: string, targetId: string, bytes: number, reconnects = 0) {
  return { groupId, targetId, bitrate: 2500, bytes, fps: 30, uptimeSecs: 1, reconnects };
}

function sessions(bus: Bus, tenantId: string): Promise<StreamSession[]> {
  return callCommand(bus, COMMANDS.get_stream_sessions, { meta: meta(tenantId), args: {} });
}

/** One go-live of tenant `a`: two targets, one drops once, then Stop all. */
async function firstSession(bus: Bus): Promise<void> {
  await emit(bus, "a", "target_status", status("g1", "yt", "connecting"), T0);
  await emit(bus, "a", "target_status", status("g1", "tw", "connecting"), T0 + 10);
  await emit(bus, "a", "target_status", status("g1", "yt", "live"), T0 + 500);
  await emit(bus, "a", "target_status", status("g1", "tw", "live"), T0 + 600);
  await emit(bus, "a", "target_stats", stats("g1", "yt", 1_000_000), T0 + 1000);
  await emit(bus, "a", "target_stats", stats("g1", "tw", 400_000), T0 + 1000);
  const refused = "Connection refused by live.twitch.tv";
  await emit(bus, "a", "target_status", status("g1", "tw", "reconnecting", refused), T0 + 2000);
  await emit(bus, "a", "target_status", status("g1", "tw", "live"), T0 + 4000);
  await emit(bus, "a", "target_stats", stats("g1", "yt", 3_000_000), T0 + 5000);
  await emit(bus, "a", "target_stats", stats("g1", "tw", 900_000, 1), T0 + 5000);
  await emit(bus, "a", "target_status", status("g1", "yt", "stopped"), T0 + 61_000);
  await emit(bus, "a", "target_status", status("g1", "tw", "stopped"), T0 + 61_000);
  await emit(bus, "a", "stream_ended", "g1", T0 + 61_500);
}

const FIRST: StreamSession = {
  id: "",
  startedAt: T0,
  endedAt: T0 + 61_500,
  durationSecs: 62,
  groups: ["g1"],
  targets: [
    {
      groupId: "g1",
      targetId: "yt",
      state: "stopped",
      bytes: 3_000_000,
      reconnects: 0,
      lastError: null,
    },
    {
      groupId: "g1",
      targetId: "tw",
      state: "stopped",
      bytes: 900_000,
      reconnects: 1,
      lastError: "Connection refused by live.twitch.tv",
    },
  ],
  bytes: 3_900_000,
  reconnects: 1,
  lastError: "Connection refused by live.twitch.tv",
  standby: [],
};

Deno.test("events service get_stream_sessions: each go-live is a session with groups, targets, bytes, reconnects and the last error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sessions-svc-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/events.db`);
  const service = await startEventsService({ bus, db, logger: quiet, dataDir: dir });
  try {
    await firstSession(bus);
    // A second go-live with two groups, still running; one group ended already.
    const t1 = T0 + 3_600_000;
    await emit(bus, "a", "target_status", status("g1", "yt", "connecting"), t1);
    await emit(bus, "a", "target_status", status("hd", "kick", "connecting"), t1 + 5);
    await emit(bus, "a", "stream_error", {
      groupId: "hd",
      error: "HEVC cannot go into FLV",
      canRetry: false,
      suggestion: "",
    }, t1 + 50);
    await emit(bus, "a", "stream_ended", "hd", t1 + 60);
    await emit(bus, "a", "target_stats", stats("g1", "yt", 250_000), t1 + 1000);
    // A group restarted inside a session counts from zero again: the bytes add up.
    await emit(bus, "a", "target_stats", stats("g1", "yt", 100_000), t1 + 2000);

    const [running, first, ...rest] = await sessions(bus, "a");
    assert.deepEqual(rest, []);
    assert.deepEqual({ ...first!, id: "" }, FIRST);
    assert.equal(running!.endedAt, null);
    assert.deepEqual(running!.groups, ["g1", "hd"]);
    assert.equal(running!.bytes, 350_000);
    assert.equal(running!.lastError, "HEVC cannot go into FLV");
    assert.ok(running!.durationSecs > 0, "a running session counts up to now");
    assert.deepEqual(await sessions(bus, "b"), [], "per tenant");
  } finally {
    await service.close();
    await bus.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("events service sessions: a restart replays nothing twice; a restarted stream ends the open session", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sessions-svc-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/events.db`);
  try {
    let service = await startEventsService({ bus, db, logger: quiet, dataDir: dir });
    await firstSession(bus);
    await emit(bus, "a", "target_status", status("g1", "yt", "connecting"), T0 + 100_000);
    await emit(bus, "a", "target_stats", stats("g1", "yt", 5_000), T0 + 101_000);
    await emit(bus, "a", "target_stats", stats("g1", "yt", 6_000), T0 + 101_500);
    const before = await sessions(bus, "a");
    await service.close();
    // A crash before the cursor moved on: the stream replays from the second session's start,
    // where an older counter would look like a restarted one and count twice: nothing changes.
    await db.exec("UPDATE events_cursor SET seq = 14, logged_at = $1", [T0 + 100_000]);
    service = await startEventsService({ bus, db, logger: quiet, dataDir: dir });
    await emit(bus, "a", "target_stats", stats("g1", "yt", 8_000), T0 + 102_000);
    await waitFor(async () => {
      await sessions(bus, "a"); // writes the cursor now (alone it waits up to 10 s)
      const [cursor] = await db.query<{ seq: number }>("SELECT seq FROM events_cursor");
      return Number(cursor?.seq) === await bus.lastSeq();
    }, { what: "the replay to reach the end of the stream" });
    const after = await sessions(bus, "a");
    assert.equal(after.length, 2);
    assert.deepEqual(after[1], before[1]);
    assert.equal(after[0]!.bytes, 8_000);
    assert.equal(after[0]!.endedAt, null);
    await service.close();

    // A desktop restart: the in-process stream numbers from 1 again, the old session is over.
    const fresh = createMemoryBus();
    service = await startEventsService({ bus: fresh, db, logger: quiet, dataDir: dir });
    try {
      const [ended, first] = await sessions(fresh, "a");
      assert.equal(ended!.endedAt, T0 + 102_000);
      assert.equal(ended!.durationSecs, 2);
      assert.deepEqual(first, before[1]);
      await emit(fresh, "a", "target_status", status("g1", "yt", "connecting"), T0 + 200_000);
      const now = await sessions(fresh, "a");
      assert.equal(now.length, 3, "the new stream's first go-live is a new session");
      assert.equal(now[0]!.startedAt, T0 + 200_000);
    } finally {
      await service.close();
      await fresh.close();
    }
  } finally {
    await bus.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("events service sessions: switches to and from the standby slate are in the session's history", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sessions-svc-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/events.db`);
  const service = await startEventsService({ bus, db, logger: quiet, dataDir: dir });
  try {
    await emit(bus, "a", "target_status", status("g1", "yt", "live"), T0);
    const on = { groupId: "g1", standby: true, reason: "publisher_lost", since: T0 + 2000 };
    await emit(bus, "a", "group_standby", on, T0 + 2000);
    const off = { groupId: "g1", standby: false, reason: "publisher_returned", since: null };
    await emit(bus, "a", "group_standby", off, T0 + 30_000);
    await emit(bus, "a", "group_standby", { bad: true }, T0 + 30_001);
    const [session] = await sessions(bus, "a");
    assert.deepEqual(session!.standby, [
      { groupId: "g1", standby: true, reason: "publisher_lost", at: T0 + 2000 },
      { groupId: "g1", standby: false, reason: "publisher_returned", at: T0 + 30_000 },
    ]);
  } finally {
    await service.close();
    await bus.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("events service: a live stream's per-second stats cost no write each second; lifecycle records and reads see them at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sessions-svc-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/events.db`);
  const service = await startEventsService({ bus, db, logger: quiet, dataDir: dir });
  const stored = async () => {
    const [row] = await db.query<{ last_seq: number }>("SELECT last_seq FROM events_sessions");
    const [cursor] = await db.query<{ seq: number }>("SELECT seq FROM events_cursor");
    return { session: Number(row?.last_seq ?? 0), cursor: Number(cursor?.seq ?? 0) };
  };
  try {
    await emit(bus, "a", "target_status", status("g1", "yt", "live"), T0);
    // A lifecycle record is written at once.
    await waitFor(async () => (await stored()).session === 1, { what: "the session opened" });
    const written = await stored();
    for (let i = 1; i <= 3; i++) {
      await emit(bus, "a", "target_stats", stats("g1", "yt", i * 1_000_000), T0 + i * 1000);
      await new Promise((resolve) => setTimeout(resolve, 600));
    }
    // ~1.8 s of counters: neither the session row nor the stream cursor was written for them
    // (before: one transaction each per second).
    assert.deepEqual(await stored(), written);
    // A read answers the newest counters, and writes what waited.
    const [live] = await sessions(bus, "a");
    assert.equal(live!.bytes, 3_000_000);
    assert.deepEqual(await stored(), { session: 4, cursor: 4 });
    // The session ending is written at once again.
    await emit(bus, "a", "stream_ended", "g1", T0 + 5000);
    await waitFor(async () => (await stored()).session === 5, { what: "the end written" });
  } finally {
    await service.close();
    await bus.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});
