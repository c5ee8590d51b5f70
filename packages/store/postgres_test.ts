import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { freePort, startPostgres, waitFor } from "@spiritstream/testing";
import { dbContract } from "./contract.ts";
import type { Migration } from "./db.ts";
import { migrate } from "./migrate.ts";
import { openPostgres } from "./postgres.ts";

dbContract("openPostgres()", async () => {
  const pg = await startPostgres();
  try {
    const db = openPostgres(await pg.createDatabase(), { max: 4 });
    return { db, cleanup: () => pg.stop() };
  } catch (error) {
    await pg.stop();
    throw error;
  }
});

function isUnavailable(error: unknown): boolean {
  return error instanceof AppError && error.code === "unavailable" &&
    error.message === "Database unavailable";
}

Deno.test("migrate() from several replicas at once applies each migration exactly once", async () => {
  const pg = await startPostgres();
  try {
    const url = await pg.createDatabase();
    const replicas = Array.from({ length: 4 }, () => openPostgres(url, { max: 2 }));
    // Neither step may run twice: CREATE TABLE would fail, the INSERT would duplicate.
    const migrations: Migration[] = [
      { id: "001_table", sql: "CREATE TABLE replicated (id SERIAL PRIMARY KEY, note TEXT)" },
      { id: "002_row", sql: "INSERT INTO replicated (note) VALUES ('once')" },
    ];
    try {
      const applied = await Promise.all(
        replicas.map((db) => migrate(db, "replicated", migrations)),
      );
      assert.deepEqual(applied.flat().sort(), ["001_table", "002_row"]);
      const [db] = replicas;
      assert.deepEqual(await db!.query("SELECT note FROM replicated"), [{ note: "once" }]);
      const recorded = await db!.query("SELECT id FROM schema_migrations ORDER BY id");
      assert.deepEqual(recorded, [{ id: "001_table" }, { id: "002_row" }]);
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
    }
  } finally {
    await pg.stop();
  }
});

Deno.test("openPostgres() reports an unreachable server as unavailable without leaking the URL", async () => {
  const db = openPostgres(`postgres://app:s3cret-pw@127.0.0.1:${freePort()}/nowhere`, {
    connectTimeoutSeconds: 2,
  });
  try {
    for (const call of [db.ping(), db.query("SELECT 1"), db.transaction((tx) => tx.ping())]) {
      const error = await call.then(() => undefined, (caught) => caught);
      assert.ok(isUnavailable(error), `not unavailable: ${error}`);
      assert.doesNotMatch((error as Error).message, /s3cret|nowhere|127\.0\.0\.1/);
    }
  } finally {
    await db.close();
  }
});

Deno.test("openPostgres() rejects a malformed URL without echoing it", () => {
  assert.throws(() => openPostgres("postgres://app:s3cret-pw@[not-a-host/db"), (error) => {
    assert.ok(error instanceof AppError && error.code === "invalid_argument");
    assert.doesNotMatch(error.message, /s3cret/);
    return true;
  });
});

Deno.test("openPostgres() is unavailable while the server is down and recovers after restart", async () => {
  const pg = await startPostgres();
  try {
    const missing = openPostgres(pg.url.replace(/\/postgres$/, "/no_such_db"));
    try {
      assert.ok(isUnavailable(await missing.ping().then(() => undefined, (error) => error)));
    } finally {
      await missing.close();
    }

    const db = openPostgres(await pg.createDatabase(), { max: 2 });
    try {
      await db.exec("CREATE TABLE survives (id INTEGER PRIMARY KEY)");
      await db.transaction((tx) => tx.exec("INSERT INTO survives (id) VALUES ($1)", [1]));
      await pg.kill();
      const error = await db.ping().then(() => undefined, (caught) => caught);
      assert.ok(isUnavailable(error), `not unavailable: ${error}`);
      await pg.restart();
      await waitFor(() => db.ping().then(() => true), { what: "ping after restart" });
      assert.deepEqual(await db.query("SELECT id FROM survives"), [{ id: 1 }]);
    } finally {
      await db.close();
    }
  } finally {
    await pg.stop();
  }
});
