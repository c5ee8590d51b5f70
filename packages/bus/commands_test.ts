import assert from "node:assert/strict";
import { z } from "zod";
import {
  AppError,
  BusEvent,
  commandSubject,
  defineCommand,
  eventSubject,
  type RequestMeta,
  serviceSubject,
} from "@spiritstream/contracts";
import { createLogger } from "@spiritstream/kit";
import { waitFor } from "@spiritstream/testing";
import { callCommand, createEventPublisher, serveCommands } from "./commands.ts";
import { createMemoryBus } from "./memory.ts";

const add = defineCommand({
  name: "add",
  group: "system",
  service: "profiles",
  summary: "Adds two whole numbers.",
  args: z.object({ a: z.number().int(), b: z.number().int().default(0) }),
  result: z.number(),
  permission: "read",
});
const greet = defineCommand({
  name: "greet",
  group: "system",
  service: "profiles",
  summary: "Greets someone.",
  args: z.object({ name: z.string().min(1) }),
  result: z.object({ text: z.string() }),
  permission: "read",
});
const later = defineCommand({
  name: "later",
  group: "system",
  service: "profiles",
  summary: "Not written yet.",
  args: z.object({}),
  result: z.null(),
  permission: "admin",
});
const ping = defineCommand({
  name: "ping",
  group: "auth",
  service: "auth",
  summary: "Belongs to another service.",
  args: z.object({}),
  result: z.literal("pong"),
  permission: "read",
});
const wipe = defineCommand({
  name: "wipe",
  group: "system",
  service: "profiles",
  summary: "Host-wide power.",
  args: z.object({}),
  result: z.literal("wiped"),
  permission: "host",
});
const catalogue = { add, greet, later, ping, wipe };

const meta: RequestMeta = {
  requestId: "r1",
  tenantId: "local",
  userId: null,
  role: null,
  ip: null,
};

function appError(code: string, message: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.message, message);
    return true;
  };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: "debug",
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line));
      },
    },
  });
  return { logger, lines };
}

Deno.test("callCommand() runs a served command and returns its parsed result", async () => {
  const bus = createMemoryBus();
  const seen: unknown[] = [];
  serveCommands(bus, "profiles", {
    catalogue,
    handlers: {
      add: (args, who) => {
        seen.push({ args, tenant: who.tenantId });
        return Promise.resolve(args.a + args.b);
      },
      greet: (args) => Promise.resolve({ text: `Hello, ${args.name}` }),
    },
  });
  assert.equal(await callCommand(bus, add, { meta, args: { a: 2, b: 3 } }), 5);
  assert.equal(await callCommand(bus, add, { meta, args: { a: 7 } }), 7);
  assert.deepEqual(await callCommand(bus, greet, { meta, args: { name: "Ada" } }), {
    text: "Hello, Ada",
  });
  assert.deepEqual(seen, [{ args: { a: 2, b: 3 }, tenant: "local" }, {
    args: { a: 7, b: 0 },
    tenant: "local",
  }]);
  await bus.close();
});

Deno.test("callCommand() rejects bad arguments before anything is sent", async () => {
  // Nobody serves the command: if the call left the process it would fail `unavailable`.
  const bus = createMemoryBus();
  await assert.rejects(
    callCommand(bus, greet, { meta, args: { name: "" } }),
    appError(
      "invalid_argument",
      'Invalid argument "name": Too small: expected string to have >=1 characters',
    ),
  );
  await assert.rejects(
    callCommand(bus, add, { meta, args: { a: 1.5 } }),
    (error: unknown) =>
      error instanceof AppError && error.code === "invalid_argument" &&
      error.message.startsWith('Invalid argument "a": '),
  );
  await bus.close();
});

Deno.test("serveCommands() validates arguments again on arrival", async () => {
  const bus = createMemoryBus();
  let calls = 0;
  serveCommands(bus, "profiles", {
    catalogue,
    handlers: {
      add: (args) => {
        calls++;
        return Promise.resolve(args.a + args.b);
      },
    },
  });
  const subject = commandSubject("profiles", "add");
  await assert.rejects(
    bus.request(subject, { command: "add", meta, args: { a: "two" } }),
    appError(
      "invalid_argument",
      'Invalid argument "a": Invalid input: expected number, received string',
    ),
  );
  await assert.rejects(
    bus.request(subject, { command: "add", meta: { ...meta, tenantId: "" }, args: { a: 1 } }),
    (error: unknown) =>
      error instanceof AppError && error.code === "invalid_argument" &&
      error.message.startsWith('Invalid argument "meta.tenantId": '),
  );
  await assert.rejects(
    bus.request(subject, { command: "greet", meta, args: { a: 1 } }),
    appError("invalid_argument", `Command "greet" sent to ${subject}`),
  );
  assert.equal(calls, 0);
  await bus.close();
});

Deno.test("serveCommands() runs a host command only for a meta that carries hostOperator", async () => {
  const bus = createMemoryBus();
  let calls = 0;
  serveCommands(bus, "profiles", {
    catalogue,
    handlers: {
      wipe: () => {
        calls++;
        return Promise.resolve("wiped" as const);
      },
    },
  });
  const denied = appError("permission_denied", "Permission denied: wipe needs the host operator");
  const admin: RequestMeta = { ...meta, role: "admin", via: "session" };
  await assert.rejects(callCommand(bus, wipe, { meta: admin, args: {} }), denied);
  await assert.rejects(
    callCommand(bus, wipe, { meta: { ...admin, hostOperator: false }, args: {} }),
    denied,
  );
  assert.equal(calls, 0);
  const host = { ...admin, hostOperator: true };
  assert.equal(await callCommand(bus, wipe, { meta: host, args: {} }), "wiped");
  assert.equal(calls, 1);
  await bus.close();
});

Deno.test("serveCommands() answers not_implemented for a command without a handler", async () => {
  const bus = createMemoryBus();
  serveCommands(bus, "profiles", { catalogue, handlers: {} });
  await assert.rejects(
    callCommand(bus, later, { meta, args: {} }),
    appError("not_implemented", "Not implemented yet: later"),
  );
  await assert.rejects(
    bus.request(commandSubject("profiles", "nosuch"), { command: "nosuch", meta, args: {} }),
    appError("unknown_command", "Unknown command: nosuch"),
  );
  // Commands of other services are not served here.
  await assert.rejects(
    callCommand(bus, ping, { meta, args: {} }),
    appError("unavailable", `No service is answering ${commandSubject("auth", "ping")}`),
  );
  await bus.close();
});

Deno.test("serveCommands() turns a result that breaks its schema into a logged internal error", async () => {
  const bus = createMemoryBus();
  const { logger, lines } = capturingLogger();
  serveCommands(bus, "profiles", {
    catalogue,
    logger,
    // deno-lint-ignore no-explicit-any
    handlers: { greet: () => Promise.resolve({ text: 42 } as any) },
  });
  await assert.rejects(
    callCommand(bus, greet, { meta, args: { name: "Ada" } }),
    appError("internal", "Invalid result from command greet"),
  );
  const logged = lines.find((line) => line.command === "greet" && line.levelName === "error");
  assert.ok(logged, JSON.stringify(lines));
  assert.match(String(logged.problem), /result\.text/);
  await bus.close();
});

Deno.test("serveCommands() hides a crashing handler's message and logs it", async () => {
  const bus = createMemoryBus();
  const { logger, lines } = capturingLogger();
  serveCommands(bus, "profiles", {
    catalogue,
    logger,
    handlers: { greet: () => Promise.reject(new Error("disk full at /var/secret")) },
  });
  await assert.rejects(
    callCommand(bus, greet, { meta, args: { name: "Ada" } }),
    appError("internal", "Internal error"),
  );
  assert.ok(lines.some((line) => line.command === "greet" && line.msg === "Command crashed"));
  await bus.close();
});

Deno.test("callCommand() checks the reply against the command's result schema", async () => {
  const bus = createMemoryBus();
  bus.serve(serviceSubject("profiles"), () => Promise.resolve({ text: ["not", "text"] }));
  await assert.rejects(
    callCommand(bus, greet, { meta, args: { name: "Ada" } }),
    appError("internal", "Invalid result from command greet"),
  );
  await bus.close();
});

Deno.test("serveCommands() shares a service's commands between its replicas", async () => {
  const bus = createMemoryBus();
  const replicas: string[] = [];
  for (const name of ["one", "two"]) {
    serveCommands(bus, "profiles", {
      catalogue,
      handlers: {
        add: (args) => {
          replicas.push(name);
          return Promise.resolve(args.a);
        },
      },
    });
  }
  for (let n = 0; n < 4; n++) await callCommand(bus, add, { meta, args: { a: n } });
  assert.deepEqual(replicas.toSorted(), ["one", "one", "two", "two"]);
  await bus.close();
});

Deno.test("serveCommands() refuses a handler for a command it does not own", () => {
  const bus = createMemoryBus();
  assert.throws(
    () =>
      serveCommands(bus, "profiles", {
        catalogue,
        handlers: { ping: () => Promise.resolve("pong" as const) },
      }),
    appError("internal", "Handler for unknown command ping of service profiles"),
  );
});

Deno.test("createEventPublisher() appends valid events and refuses invalid payloads", async () => {
  const bus = createMemoryBus();
  const events = createEventPublisher(bus, {
    "profile://changed": z.object({ name: z.string().min(1) }),
  });
  const got: unknown[] = [];
  const sub = bus.follow("ss.evt.>", { fromSeq: 1 }, (record) => {
    got.push(record);
  });
  const seq = await events.emit("local", "profile://changed", { name: "main" });
  assert.equal(seq, 1);
  await assert.rejects(
    events.emit("local", "profile://changed", { name: "" }),
    (error: unknown) =>
      error instanceof AppError && error.code === "invalid_argument" &&
      error.message.startsWith('Invalid argument "payload.name": '),
  );
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    events.emit("local", "profile://gone" as any, {}),
    appError("invalid_argument", "Unknown event: profile://gone"),
  );
  assert.equal(await bus.lastSeq(), 1);
  await waitFor(() => got.length === 1, { what: "the emitted event" });
  const [record] = got as { seq: number; subject: string; data: unknown }[];
  assert.equal(record!.subject, eventSubject("local", "profile://changed"));
  const body = BusEvent.parse(record!.data);
  assert.deepEqual({ ...body, time: 0 }, {
    tenantId: "local",
    event: "profile://changed",
    payload: { name: "main" },
    time: 0,
  });
  await sub.close();
  await bus.close();
});
