import assert from "node:assert/strict";
import {
  AppError,
  COMMANDS,
  eventSubject,
  type LogRecord,
  type RequestMeta,
} from "@spiritstream/contracts";
import { type Bus, callCommand, createLogForwarder, createMemoryBus } from "@spiritstream/bus";
import { createLogger, createRedactor, type Logger, openRootKeys } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { waitFor } from "@spiritstream/testing";
import { startProfilesService } from "@spiritstream/profiles";
import { startEventsService } from "./service.ts";

const quiet: Logger = createLogger({ level: "warn", destination: { write() {} } });
const DAY = 86_400_000;

function meta(tenantId: string): RequestMeta {
  return { requestId: crypto.randomUUID(), tenantId, userId: null, role: "admin", ip: null };
}

function appendLog(bus: Bus, tenantId: string, payload: LogRecord, time = Date.now()) {
  return bus.append(eventSubject(tenantId, "log://log"), {
    tenantId,
    event: "log://log",
    payload,
    time,
  });
}

function recentLogs(bus: Bus, tenantId: string, maxLines = 1000): Promise<string[]> {
  return callCommand(bus, COMMANDS.get_recent_logs, { meta: meta(tenantId), args: { maxLines } });
}

interface World {
  bus: Bus;
  dir: string;
  eventsDb: Db;
  start(
    options?: { maxRows?: number; maxReplyChars?: number; homeDir?: string | null },
  ): Promise<{ close(): Promise<void> }>;
  close(): Promise<void>;
}

async function world(options: { profiles?: boolean } = {}): Promise<World> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-events-svc-" });
  const bus = createMemoryBus();
  const profilesDb = openSqlite(`${dir}/profiles.db`);
  const eventsDb = openSqlite(`${dir}/events.db`);
  const profiles = options.profiles === false ? null : await startProfilesService({
    bus,
    db: profilesDb,
    logger: quiet,
    rootKeys: await openRootKeys({ kind: "machine_file", path: `${dir}/secrets.key` }),
    dataDir: dir,
    homeDir: null,
  });
  const running: { close(): Promise<void> }[] = [];
  return {
    bus,
    dir,
    eventsDb,
    async start(startOptions = {}) {
      const service = await startEventsService({
        bus,
        db: eventsDb,
        logger: quiet,
        dataDir: `${dir}/data`,
        homeDir: null,
        ...startOptions,
      });
      running.push(service);
      return service;
    },
    async close() {
      for (const service of running.reverse()) await service.close();
      await profiles?.close();
      await bus.close();
      await profilesDb.close();
      await eventsDb.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("events service get_recent_logs answers the tenant's newest lines in the §6.2 format", async () => {
  const w = await world();
  try {
    await w.start();
    const day = new Date();
    const time = new Date(day.getFullYear(), day.getMonth(), day.getDate(), 8, 30, 5).getTime();
    const date = [day.getFullYear(), day.getMonth() + 1, day.getDate()]
      .map((n) => String(n).padStart(2, "0")).join("-");
    for (let i = 1; i <= 5; i++) {
      await appendLog(w.bus, "a", { level: i, message: `a ${i}`, target: "encoder" }, time + i);
    }
    await appendLog(w.bus, "b", { level: 3, message: "b only", target: "gateway" }, time);
    await waitFor(async () => (await recentLogs(w.bus, "a")).length === 5, { what: "5 lines" });
    assert.deepEqual(await recentLogs(w.bus, "a", 2), [
      `[${date}][08:30:05][encoder][DEBUG] a 4`,
      `[${date}][08:30:05][encoder][TRACE] a 5`,
    ]);
    assert.deepEqual(await recentLogs(w.bus, "b"), [`[${date}][08:30:05][gateway][INFO] b only`]);
    assert.deepEqual(await recentLogs(w.bus, "c"), []);
    await assert.rejects(
      callCommand(w.bus, COMMANDS.get_recent_logs, { meta: meta("a"), args: { maxLines: 0 } }),
      (error: unknown) => error instanceof AppError && /"maxLines"/.test(error.message),
    );
  } finally {
    await w.close();
  }
});

Deno.test("events service prunes by the tenant's logRetentionDays on start and on settings_changed; 0 keeps all", async () => {
  const w = await world();
  try {
    const now = Date.now();
    const log = (message: string) => ({ level: 3, message, target: "t" });
    await appendLog(w.bus, "a", log("40 days old"), now - 40 * DAY);
    await appendLog(w.bus, "a", log("3 days old"), now - 3 * DAY);
    await appendLog(w.bus, "a", log("fresh"), now);
    await appendLog(w.bus, "b", log("b 40 days old"), now - 40 * DAY);
    await callCommand(w.bus, COMMANDS.save_settings, {
      meta: meta("b"),
      args: { settings: { logRetentionDays: 0 } },
    });
    await w.start();
    // Default retention (30 days) on first sight of tenant a; b keeps everything.
    await waitFor(async () => (await recentLogs(w.bus, "a")).length === 2, {
      what: "a pruned to 30 days",
    });
    assert.equal((await recentLogs(w.bus, "b")).length, 1);

    await callCommand(w.bus, COMMANDS.save_settings, {
      meta: meta("a"),
      args: { settings: { logRetentionDays: 1 } },
    });
    await waitFor(async () => (await recentLogs(w.bus, "a")).length === 1, {
      what: "a pruned to 1 day",
    });
    assert.match((await recentLogs(w.bus, "a"))[0]!, /\] fresh$/);
    assert.equal((await recentLogs(w.bus, "b")).length, 1, "tenant b untouched");
  } finally {
    await w.close();
  }
});

Deno.test("events service never deletes before it knows the retention, and learns it once profiles is up", async () => {
  const w = await world({ profiles: false });
  try {
    await appendLog(w.bus, "a", { level: 3, message: "old", target: "t" }, Date.now() - 40 * DAY);
    await w.start();
    await waitFor(async () => (await recentLogs(w.bus, "a")).length === 1, {
      what: "the old line",
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(
      (await recentLogs(w.bus, "a")).length,
      1,
      "kept while get_settings is unavailable",
    );
    const profiles = await startProfilesService({
      bus: w.bus,
      db: openSqlite(`${w.dir}/late_profiles.db`),
      logger: quiet,
      rootKeys: await openRootKeys({ kind: "machine_file", path: `${w.dir}/secrets.key` }),
      dataDir: w.dir,
      homeDir: null,
    });
    try {
      await waitFor(async () => (await recentLogs(w.bus, "a")).length === 0, {
        what: "pruned after the retry",
        timeoutMs: 15_000,
      });
    } finally {
      await profiles.close();
    }
  } finally {
    await w.close();
  }
});

Deno.test("events service enforces the row cap per tenant", async () => {
  const w = await world();
  try {
    await w.start({ maxRows: 50 });
    for (let i = 0; i < 200; i++) {
      await appendLog(w.bus, "a", { level: 3, message: `m${i}`, target: "t" });
    }
    await appendLog(w.bus, "b", { level: 3, message: "b", target: "t" });
    await waitFor(async () => (await recentLogs(w.bus, "b")).length === 1, { what: "b's line" });
    const lines = await recentLogs(w.bus, "a", 100_000);
    assert.ok(lines.length >= 50 && lines.length <= 51, `kept ${lines.length}`);
    assert.match(lines.at(-1)!, /\] m199$/);
  } finally {
    await w.close();
  }
});

Deno.test("events service answers only the newest lines that fit one reply", async () => {
  const w = await world({ profiles: false });
  try {
    await w.start({ maxReplyChars: 300 });
    for (let i = 0; i < 10; i++) {
      await appendLog(w.bus, "a", { level: 3, message: `m${i} ${"y".repeat(60)}`, target: "t" });
    }
    await waitFor(async () => (await recentLogs(w.bus, "a", 1)).some((l) => l.includes("m9 ")), {
      what: "the last line",
    });
    const lines = await recentLogs(w.bus, "a");
    assert.ok(lines.length >= 2 && lines.length < 10, `got ${lines.length}`);
    assert.ok(lines.join("").length <= 300);
    assert.match(lines.at(-1)!, /\] m9 y+$/);
  } finally {
    await w.close();
  }
});

Deno.test("events service resumes after a restart without losing or repeating a line", async () => {
  const w = await world();
  try {
    const first = await w.start();
    for (let i = 0; i < 10; i++) {
      await appendLog(w.bus, "a", { level: 3, message: `m${i}`, target: "t" });
    }
    await waitFor(async () => (await recentLogs(w.bus, "a")).length === 10, { what: "10 lines" });
    await first.close();
    for (let i = 10; i < 20; i++) {
      await appendLog(w.bus, "a", { level: 3, message: `m${i}`, target: "t" });
    }
    await w.start();
    await waitFor(async () => (await recentLogs(w.bus, "a")).length >= 20, { what: "20 lines" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const messages = (await recentLogs(w.bus, "a")).map((line) => line.split("] ")[1]);
    assert.deepEqual(messages, Array.from({ length: 20 }, (_, i) => `m${i}`));
  } finally {
    await w.close();
  }
});

Deno.test("events service keeps lines of a restarted in-process stream that reuses sequence numbers", async () => {
  const w = await world({ profiles: false });
  try {
    const first = await w.start();
    for (let i = 0; i < 5; i++) {
      await appendLog(w.bus, "a", { level: 3, message: `run1 ${i}`, target: "t" }, 1_000 + i);
    }
    await waitFor(async () => (await recentLogs(w.bus, "a")).length === 5, { what: "run 1" });
    await first.close();
    // A desktop restart: a fresh in-process stream, numbered from 1 again, over the same file.
    // It already holds a record numbered like the stored cursor: the service must notice.
    const bus = createMemoryBus();
    for (let i = 0; i < 7; i++) {
      await appendLog(bus, "a", { level: 3, message: `run2 ${i}`, target: "t" }, 2_000 + i);
    }
    const second = await startEventsService({
      bus,
      db: w.eventsDb,
      logger: quiet,
      dataDir: w.dir,
    });
    try {
      await waitFor(async () => (await recentLogs(bus, "a")).length === 12, { what: "both runs" });
      const messages = (await recentLogs(bus, "a")).map((line) => line.split("] ")[1]);
      assert.deepEqual(messages.slice(0, 6), [
        "run1 0",
        "run1 1",
        "run1 2",
        "run1 3",
        "run1 4",
        "run2 0",
      ]);
    } finally {
      await second.close();
      await bus.close();
    }
  } finally {
    await w.close();
  }
});

function exportLogs(w: World, args: { path?: string; content: string }) {
  return callCommand(w.bus, COMMANDS.export_logs, { meta: meta("local"), args });
}

function refusedPath(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof AppError && error.code === "invalid_argument" &&
    error.message.startsWith('Invalid argument "path": ') && pattern.test(error.message);
}

Deno.test("events service export_logs writes a new 0600 file in <data>/exports unless a path is given", async () => {
  const w = await world({ profiles: false });
  try {
    const home = `${w.dir}/home`;
    await Deno.mkdir(`${home}/Downloads`, { recursive: true });
    await w.start({ homeDir: home });
    const line = "[2026-01-01][00:00:00][t][INFO] hi\n";
    assert.equal(await exportLogs(w, { content: line }), null);
    const [entry] = await Array.fromAsync(Deno.readDir(`${w.dir}/data/exports`));
    assert.match(entry!.name, /^spiritstream-logs-\d{8}-\d{6}\.log$/);
    const file = `${w.dir}/data/exports/${entry!.name}`;
    assert.equal(await Deno.readTextFile(file), line);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    await exportLogs(w, { path: `${home}/Downloads/logs.txt`, content: line });
    assert.equal(await Deno.readTextFile(`${home}/Downloads/logs.txt`), line);
  } finally {
    await w.close();
  }
});

Deno.test("events service export_logs never replaces a file, nor writes through links, hidden folders or ..", async () => {
  const w = await world({ profiles: false });
  try {
    const home = `${w.dir}/home`;
    const outside = `${w.dir}/etc`; // stand-in for /etc
    for (const dir of [`${w.dir}/data`, `${home}/.ssh`, outside]) {
      await Deno.mkdir(dir, { recursive: true });
    }
    await w.start({ homeDir: home });
    // Stand-ins for ~/.bashrc and secrets.key: caller text must never replace them.
    await Deno.writeTextFile(`${home}/notes.txt`, "keep");
    await Deno.writeTextFile(`${home}/.bashrc`, "keep");
    await Deno.writeTextFile(`${w.dir}/data/secrets.key`, "keep");
    await Deno.symlink(outside, `${home}/escape`);
    const cases = [
      [`${home}/notes.txt`, /already exists/],
      [`${home}/.bashrc`, /hidden file/],
      [`${w.dir}/data/secrets.key`, /nor elsewhere in the data folder/],
      [`${home}/.ssh/authorized_keys`, /not in a hidden folder/],
      [`${home}/escape/x.log`, /must be inside/],
      [`${home}/escape`, /must be inside/],
      [`${w.dir}/data/../escape.log`, /must not contain "\.\."/],
    ] as const;
    for (const [path, rule] of cases) {
      await assert.rejects(exportLogs(w, { path, content: "caller text" }), refusedPath(rule));
    }
    for (const file of [`${home}/notes.txt`, `${home}/.bashrc`, `${w.dir}/data/secrets.key`]) {
      assert.equal(await Deno.readTextFile(file), "keep");
    }
    assert.deepEqual(await Array.fromAsync(Deno.readDir(outside)), [], "nothing landed outside");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${home}/.ssh`)), []);
    await assert.rejects(Deno.stat(`${w.dir}/escape.log`));
  } finally {
    await w.close();
  }
});

Deno.test("a service's redacted log records reach get_recent_logs through createLogForwarder", async () => {
  const w = await world({ profiles: false });
  try {
    await w.start();
    const forwarder = createLogForwarder(w.bus, { tenantId: "local" });
    const redactor = createRedactor();
    redactor.add("tw_live_secret_key_42");
    const logger = createLogger({
      redactor,
      destination: { write() {} },
      base: { service: "encoder" },
      onRecord: forwarder.onRecord,
    });
    logger.warn("Target failed: rtmp://live.twitch.tv/app/tw_live_secret_key_42 refused");
    logger.debug("below info: not forwarded");
    await waitFor(async () => (await recentLogs(w.bus, "local")).length === 1, {
      what: "the line",
    });
    const [line] = await recentLogs(w.bus, "local");
    assert.match(
      line!,
      /\]\[encoder\]\[WARN\] Target failed: rtmp:\/\/live\.twitch\.tv\/app\/\*\*\* refused$/,
    );
    await forwarder.close();
  } finally {
    await w.close();
  }
});
