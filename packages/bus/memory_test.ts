import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { waitFor } from "@spiritstream/testing";
import { busContract } from "./contract.ts";
import { createMemoryBus } from "./memory.ts";

busContract("memory", {
  create() {
    const bus = createMemoryBus();
    return Promise.resolve({ bus, cleanup: () => bus.close() });
  },
});

Deno.test("createMemoryBus() keeps the newest maxRecords records and replays from the oldest", async () => {
  const bus = createMemoryBus({ maxRecords: 3 });
  for (let n = 1; n <= 5; n++) await bus.append("ss.evt.local.x", { n });
  const got: number[] = [];
  const sub = bus.follow("ss.evt.>", { fromSeq: 1 }, (record) => {
    got.push(record.seq);
  });
  await waitFor(() => got.length >= 3, { what: "3 kept records" });
  await bus.append("ss.evt.local.x", { n: 6 });
  await waitFor(() => got.length >= 4, { what: "the live record" });
  assert.deepEqual(got, [3, 4, 5, 6]);
  assert.equal(await bus.lastSeq(), 6);
  await sub.close();
  await bus.close();
});

Deno.test("createMemoryBus() takes turns between the members of a queue group", async () => {
  const bus = createMemoryBus();
  const answers: string[] = [];
  const subs = ["a", "b", "c"].map((name) =>
    bus.serve("t.work", () => Promise.resolve(name), { queue: "workers" })
  );
  for (let n = 0; n < 6; n++) answers.push(await bus.request("t.work", {}) as string);
  assert.deepEqual(answers, ["a", "b", "c", "a", "b", "c"]);
  await Promise.all(subs.map((sub) => sub.close()));
  await bus.close();
});

Deno.test("createMemoryBus() fails a pending request with unavailable when it closes", async () => {
  const bus = createMemoryBus();
  const { promise: never, resolve: release } = Promise.withResolvers<void>();
  bus.serve("t.stuck", async () => await never);
  const pending = bus.request("t.stuck", {}, { timeoutMs: 60_000 });
  await bus.close();
  await assert.rejects(pending, (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "unavailable");
    return true;
  });
  release();
});

Deno.test("createMemoryBus() rejects data that cannot travel as JSON", async () => {
  const bus = createMemoryBus();
  await assert.rejects(bus.append("ss.evt.local.x", { big: 1n }), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "invalid_argument");
    return true;
  });
  assert.equal(await bus.lastSeq(), 0);
  await bus.close();
});
