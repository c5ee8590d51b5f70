import assert from "node:assert/strict";
import { openMigratedSqlite, startMigratedPostgres } from "@spiritstream/testing";
import { PROFILES_MIGRATIONS } from "../migrations.ts";
import { RefreshLeases } from "./refresh_leases.ts";

const STORES = {
  sqlite: () => openMigratedSqlite("profiles", PROFILES_MIGRATIONS),
  postgres: () => startMigratedPostgres("profiles", PROFILES_MIGRATIONS),
};

for (const [dialect, open] of Object.entries(STORES)) {
  Deno.test(`RefreshLeases (${dialect}): one replica holds a sign-in's lease until it gives it back or it runs out`, async () => {
    const { db, cleanup } = await open();
    try {
      let now = 1_000_000;
      const a = new RefreshLeases(db, { ttlMs: 30_000, now: () => now });
      const b = new RefreshLeases(db, { ttlMs: 30_000, now: () => now });
      assert.equal(await a.claim("t1", "twitch"), true);
      assert.equal(await b.claim("t1", "twitch"), false);
      assert.equal(await b.claim("t1", "youtube"), true, "another provider is another lease");
      assert.equal(await b.claim("t2", "twitch"), true, "another tenant is another lease");
      await b.release("t1", "twitch"); // not b's: nothing happens
      assert.equal(await b.claim("t1", "twitch"), false);
      await a.release("t1", "twitch");
      assert.equal(await b.claim("t1", "twitch"), true);
      now += 30_001; // b died holding it
      assert.equal(await a.claim("t1", "twitch"), true);
    } finally {
      await cleanup();
    }
  });
}
