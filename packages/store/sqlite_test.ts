import assert from "node:assert/strict";
import { dbContract } from "./contract.ts";
import type { Db } from "./db.ts";
import { openSqlite } from "./sqlite.ts";

dbContract("openSqlite()", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sqlite-" });
  return {
    db: openSqlite(`${dir}/store.db`),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sqlite-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("openSqlite() creates parent dirs and opens with WAL, synchronous=FULL and foreign keys", () =>
  withTempDir(async (dir) => {
    const db = openSqlite(`${dir}/a/b/store.db`, { busyTimeoutMs: 1234 });
    try {
      assert.deepEqual(await db.query("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
      assert.deepEqual(await db.query("PRAGMA synchronous"), [{ synchronous: 2 }]);
      assert.deepEqual(await db.query("PRAGMA busy_timeout"), [{ timeout: 1234 }]);
      await db.exec("CREATE TABLE parent (id INTEGER PRIMARY KEY)");
      await db.exec(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))",
      );
      await assert.rejects(
        db.exec("INSERT INTO child (id, parent_id) VALUES (1, $1)", [99]),
        /FOREIGN KEY/,
      );
    } finally {
      await db.close();
    }
    assert.ok((await Deno.stat(`${dir}/a/b/store.db`)).isFile);
  }));

Deno.test("openSqlite() makes the file, its -wal and -shm 0600 whatever the umask, and tightens an existing 0644 one", () =>
  withTempDir(async (dir) => {
    const mode = (path: string) => Deno.statSync(path).mode! & 0o777;
    const previous = Deno.umask(0);
    try {
      const db = openSqlite(`${dir}/fresh/new.db`);
      await db.exec("CREATE TABLE t (v TEXT)");
      await db.exec("INSERT INTO t (v) VALUES ($1)", ["secret"]);
      for (const file of ["new.db", "new.db-wal", "new.db-shm"]) {
        assert.equal(mode(`${dir}/fresh/${file}`), 0o600, file);
      }
      assert.equal(mode(`${dir}/fresh`), 0o700, "a parent dir it creates");
      await db.close();

      const old = openSqlite(`${dir}/old.db`);
      await old.exec("CREATE TABLE t (v TEXT)");
      await old.close();
      for (const file of ["old.db", "old.db-wal", "old.db-shm"]) {
        await Deno.writeTextFile(`${dir}/${file}`, "", { append: true, mode: 0o644 });
      }
      const reopened = openSqlite(`${dir}/old.db`);
      for (const file of ["old.db", "old.db-wal", "old.db-shm"]) {
        assert.equal(mode(`${dir}/${file}`), 0o600, `${file} tightened`);
      }
      await reopened.close();
    } finally {
      Deno.umask(previous);
    }
  }));

Deno.test("openSqlite() keeps committed data across reopen", () =>
  withTempDir(async (dir) => {
    const first = openSqlite(`${dir}/store.db`);
    await first.exec("CREATE TABLE kept (v TEXT)");
    await first.transaction((tx) => tx.exec("INSERT INTO kept (v) VALUES ($1)", ["yes"]));
    await first.close();
    const second = openSqlite(`${dir}/store.db`);
    try {
      assert.deepEqual(await second.query("SELECT v FROM kept"), [{ v: "yes" }]);
    } finally {
      await second.close();
    }
  }));

Deno.test("openSqlite() rejects the outer handle inside its own transaction instead of hanging", () =>
  withTempDir(async (dir) => {
    const db = openSqlite(`${dir}/store.db`);
    try {
      await db.exec("CREATE TABLE t (id INTEGER)");
      let stale: Db | undefined;
      let later: Promise<unknown> | undefined;
      await db.transaction(async (tx) => {
        stale = tx;
        await assert.rejects(db.query("SELECT 1"), /use the tx handle/);
        await tx.exec("INSERT INTO t (id) VALUES (1)");
        // Background work begun inside may use the outer handle once the transaction is over.
        later = new Promise((resolve) => setTimeout(resolve, 30)).then(() =>
          db.query("SELECT id FROM t")
        );
      });
      await assert.rejects(stale!.query("SELECT 1"), /Transaction already finished/);
      assert.deepEqual(await later, [{ id: 1 }]);
    } finally {
      await db.close();
    }
    await assert.rejects(db.query("SELECT 1"), /Database is closed/);
  }));

Deno.test("openSqlite() queues statements issued during a transaction behind it", () =>
  withTempDir(async (dir) => {
    const db = openSqlite(`${dir}/store.db`);
    try {
      await db.exec("CREATE TABLE log (step TEXT)");
      const order: string[] = [];
      let release!: () => void;
      const gate = new Promise<void>((resolve) => release = resolve);
      const running = db.transaction(async (tx) => {
        await tx.exec("INSERT INTO log (step) VALUES ('tx')");
        await gate;
        order.push("tx done");
      });
      const outside = db.exec("INSERT INTO log (step) VALUES ('outside')").then(() => {
        order.push("outside done");
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(order, []); // the outside statement waits for the transaction
      release();
      await Promise.all([running, outside]);
      assert.deepEqual(order, ["tx done", "outside done"]);
      assert.deepEqual(await db.query("SELECT step FROM log ORDER BY rowid"), [
        { step: "tx" },
        { step: "outside" },
      ]);
    } finally {
      await db.close();
    }
  }));
