import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import type { SessionStore, StoredSession } from "./session_store.ts";

/** What {@linkcode sessionStoreContract} needs: a store over a freshly migrated, empty Db. */
export type CreateSessionStore = () => Promise<{ store: SessionStore; cleanup(): Promise<void> }>;

function session(tenantId: string, n: number, overrides: Partial<StoredSession> = {}) {
  return {
    tenantId,
    id: `s${String(n).padStart(3, "0")}`,
    startedAt: 1_700_000_000_000 + n * 60_000,
    endedAt: 1_700_000_000_000 + n * 60_000 + 30_000,
    updatedAt: 1_700_000_000_000 + n * 60_000 + 30_000,
    lastSeq: n * 10,
    groups: ["default"],
    activeGroups: [],
    targets: [{
      groupId: "default",
      targetId: "yt",
      state: "stopped",
      bytes: n * 1000,
      reconnects: n,
      lastError: null,
      rawBytes: n * 1000,
      rawReconnects: n,
    }],
    lastError: null,
    ...overrides,
  } satisfies StoredSession;
}

/** Registers one `Deno.test` with a step per behaviour every session store adapter must show. */
export function sessionStoreContract(name: string, create: CreateSessionStore): void {
  Deno.test(`${name} satisfies the SessionStore contract`, async (t) => {
    const { store, cleanup } = await create();
    try {
      await t.step("an empty store has no sessions", async () => {
        assert.deepEqual(await store.list("a", 10), []);
        assert.deepEqual(await store.open(), []);
        assert.deepEqual(await store.lastSeqs(), new Map());
      });

      await t.step("save() stores sessions; list() answers the newest first", async () => {
        await store.save([session("a", 1), session("a", 2), session("a", 3)]);
        assert.deepEqual((await store.list("a", 2)).map((s) => s.id), ["s003", "s002"]);
        assert.deepEqual((await store.list("a", 10))[2], session("a", 1));
      });

      await t.step("save() replaces a session by tenant and id (a running one ends)", async () => {
        const running = session("a", 4, { endedAt: null, activeGroups: ["default"] });
        await store.save([running]);
        assert.deepEqual((await store.open()).map((s) => s.id), ["s004"]);
        const ended = session("a", 4, { lastSeq: 45, lastError: "Connection refused “x”" });
        await store.save([ended]);
        assert.deepEqual(await store.open(), []);
        assert.deepEqual((await store.list("a", 1))[0], ended);
        assert.equal((await store.list("a", 100)).length, 4);
      });

      await t.step("tenants are isolated; lastSeqs() is per tenant", async () => {
        await store.save([session("b", 9, { id: "s001", endedAt: null })]);
        assert.deepEqual((await store.list("b", 10)).map((s) => s.tenantId), ["b"]);
        assert.ok((await store.list("a", 10)).every((s) => s.tenantId === "a"));
        assert.deepEqual(await store.lastSeqs(), new Map([["a", 45], ["b", 90]]));
        assert.deepEqual((await store.open()).map((s) => [s.tenantId, s.id]), [["b", "s001"]]);
      });

      await t.step("cap() keeps the newest sessions of one tenant", async () => {
        assert.equal(await store.cap("a", 2), 2);
        assert.deepEqual((await store.list("a", 10)).map((s) => s.id), ["s004", "s003"]);
        assert.equal(await store.cap("a", 2), 0);
        assert.equal((await store.list("b", 10)).length, 1);
      });

      await t.step("bad arguments are refused naming the field", async () => {
        const invalid = (pattern: RegExp) => (error: unknown) =>
          error instanceof AppError && error.code === "invalid_argument" &&
          pattern.test(error.message);
        await assert.rejects(store.list("", 1), invalid(/"tenantId"/));
        await assert.rejects(store.list("a", 0), invalid(/"limit"/));
        await assert.rejects(store.cap("a", 0), invalid(/"max"/));
        await assert.rejects(
          store.save([session("a", 1, { lastSeq: -1 })]),
          invalid(/"sessions\[0\]\.lastSeq"/),
        );
        await assert.rejects(
          store.save([session("a", 1, { id: "" })]),
          invalid(/"sessions\[0\]\.id"/),
        );
      });
    } finally {
      await cleanup();
    }
  });
}
