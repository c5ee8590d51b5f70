import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import type { LogRow, LogStore } from "./log_store.ts";

/** What {@linkcode logStoreContract} needs: a store over a freshly migrated, empty Db. */
export type CreateLogStore = () => Promise<{ store: LogStore; cleanup(): Promise<void> }>;

function row(tenantId: string, seq: number, overrides: Partial<LogRow> = {}): LogRow {
  return {
    tenantId,
    seq,
    time: 1_700_000_000_000 + seq * 1000,
    level: 3,
    target: "encoder",
    message: `line ${seq}`,
    ...overrides,
  };
}

/** Registers one `Deno.test` with a step per behaviour every log store adapter must show. */
export function logStoreContract(name: string, create: CreateLogStore): void {
  Deno.test(`${name} satisfies the LogStore contract`, async (t) => {
    const { store, cleanup } = await create();
    try {
      await t.step("an empty store has no rows, tenants or cursor", async () => {
        assert.deepEqual(await store.recent("a", 10), []);
        assert.deepEqual(await store.tenants(), []);
        assert.equal(await store.cursor(), null);
        assert.equal(await store.count("a"), 0);
      });

      await t.step(
        "append() stores rows and the cursor; recent() returns the newest, oldest first",
        async () => {
          const rows = Array.from({ length: 250 }, (_, i) => row("a", i + 1));
          assert.equal(await store.append(rows, { seq: 250, time: rows[249]!.time }), 250);
          assert.deepEqual(await store.cursor(), { seq: 250, time: rows[249]!.time });
          assert.deepEqual(await store.recent("a", 3), rows.slice(-3));
          assert.equal((await store.recent("a", 100_000)).length, 250);
          assert.equal(await store.count("a"), 250);
        },
      );

      await t.step("append() skips a record stored before (same seq and time)", async () => {
        const again = [row("a", 249), row("a", 250), row("a", 251)];
        assert.equal(await store.append(again, { seq: 251, time: again[2]!.time }), 1);
        assert.equal(await store.count("a"), 251);
        // The same seq at another time is another record (an in-process stream restarted).
        assert.equal(await store.append([row("a", 5, { time: 1_800_000_000_000 })], null), 1);
        assert.equal((await store.recent("a", 1))[0]!.time, 1_800_000_000_000);
      });

      await t.step("tenants are isolated", async () => {
        await store.append([row("b", 1000, { message: "b only" })], { seq: 1000, time: 1 });
        assert.deepEqual((await store.recent("b", 10)).map((r) => r.message), ["b only"]);
        assert.ok((await store.recent("a", 1000)).every((r) => r.tenantId === "a"));
        assert.deepEqual(await store.tenants(), ["a", "b"]);
        assert.deepEqual(await store.cursor(), { seq: 1000, time: 1 });
      });

      await t.step("pruneBefore() deletes one tenant's older rows only", async () => {
        const edge = row("a", 200).time;
        assert.equal(await store.pruneBefore("a", edge), 199);
        const left = await store.recent("a", 1000);
        assert.equal(left[0]!.seq, 200);
        assert.equal(await store.count("b"), 1);
      });

      await t.step("cap() keeps the newest maxRows rows", async () => {
        const before = await store.count("a");
        assert.equal(await store.cap("a", 10), before - 10);
        const kept = await store.recent("a", 1000);
        assert.equal(kept.length, 10);
        assert.equal(kept.at(-1)!.time, 1_800_000_000_000);
        assert.equal(await store.cap("a", 10), 0);
        assert.equal(await store.cap("nobody", 10), 0);
      });

      await t.step("unicode, quotes and long messages survive", async () => {
        const message = `Ünïcödé 🎥 “q” 'q' "dq" $1 ?1 \\ \u0001 ${"x".repeat(10_000)}`;
        await store.append([row("ü 🎥", 7, { message, target: "ffmpeg:g'1", level: 1 })], null);
        const [got] = await store.recent("ü 🎥", 1);
        assert.equal(got!.message, message);
        assert.equal(got!.target, "ffmpeg:g'1");
        assert.equal(got!.level, 1);
      });

      await t.step("bad arguments are refused naming the field", async () => {
        const invalid = (pattern: RegExp) => (error: unknown) =>
          error instanceof AppError && error.code === "invalid_argument" &&
          pattern.test(error.message);
        await assert.rejects(store.recent("", 1), invalid(/"tenantId"/));
        await assert.rejects(store.recent("a", 0), invalid(/"limit"/));
        await assert.rejects(store.cap("a", 0), invalid(/"maxRows"/));
        await assert.rejects(store.append([row("a", -1)], null), invalid(/"rows\[0\]\.seq"/));
        await assert.rejects(store.append([row("", 1)], null), invalid(/"tenantId"/));
      });
    } finally {
      await cleanup();
    }
  });
}
