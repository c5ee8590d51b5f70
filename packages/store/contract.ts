import assert from "node:assert/strict";
import type { Db, Migration } from "./db.ts";
import { migrate } from "./migrate.ts";

/** What {@linkcode dbContract} needs from each adapter's test: a fresh, empty Db. */
export type CreateDb = () => Promise<{ db: Db; cleanup(): Promise<void> }>;

/** Registers one `Deno.test` with a step per behaviour every {@linkcode Db} adapter must show. */
export function dbContract(name: string, create: CreateDb): void {
  Deno.test(`${name} satisfies the Db contract`, async (t) => {
    const { db, cleanup } = await create();
    try {
      await t.step("query() binds and returns every param type", () => bindsEveryType(db));
      await t.step("exec() returns the affected row count", () => countsChanges(db));
      await t.step("transaction() commits when fn resolves", () => commits(db));
      await t.step("transaction() rolls back and rethrows when fn throws", () => rollsBack(db));
      await t.step("nested transaction() rolls back only its own work", () => nests(db));
      await t.step("concurrent transactions do not interleave", () => isolates(db));
      await t.step("migrate() applies pending migrations once", () => migratesOnce(db));
      await t.step("migrate() rolls back a failing migration", () => migrationFails(db));
      await t.step("query() rejects malformed SQL and constraint violations", () => rejects(db));
      await t.step("ping() resolves", () => db.ping());
    } finally {
      await db.close();
      await cleanup();
    }
  });
}

const TRICKY_TEXT = `It's "quoted" — ünïcödé 🎥, a $1 and ?1 stay text; -- not a comment`;

async function bindsEveryType(db: Db): Promise<void> {
  await db.exec(`CREATE TABLE contract_values (
    id INTEGER PRIMARY KEY, t TEXT, n INTEGER, big BIGINT, f DOUBLE PRECISION, b BOOLEAN, j TEXT
  )`);
  const json = { a: [1, "x", { deep: true }], b: null, s: "ünï 'q' \"dq\"" };
  const insert =
    "INSERT INTO contract_values (id, t, n, big, f, b, j) VALUES ($1, $2, $3, $4, $5, $6, $7)";
  await db.exec(insert, [1, TRICKY_TEXT, -42, 2 ** 53 - 1, 1.5, true, JSON.stringify(json)]);
  await db.exec(insert, [2, null, 0, -(2 ** 53 - 1), -0.25, false, null]);
  await db.exec(insert, [3, undefined, null, 7n, null, null, "[]"]);

  const rows = await db.query("SELECT id, t, n, big, f, b, j FROM contract_values ORDER BY id");
  assert.deepEqual(rows, [
    { id: 1, t: TRICKY_TEXT, n: -42, big: 2 ** 53 - 1, f: 1.5, b: true, j: JSON.stringify(json) },
    { id: 2, t: null, n: 0, big: -(2 ** 53 - 1), f: -0.25, b: false, j: null },
    { id: 3, t: null, n: null, big: 7, f: null, b: null, j: "[]" },
  ]);
  assert.deepEqual(JSON.parse(rows[0]!.j as string), json);

  // Placeholders out of order and repeated; `$1` inside a literal is left alone.
  const picked = await db.query(
    "SELECT id, '$1' AS literal FROM contract_values WHERE t = $2 OR (n = $1 AND big > $1)",
    [0, TRICKY_TEXT],
  );
  assert.deepEqual(picked, [{ id: 1, literal: "$1" }]);
  assert.deepEqual(await db.query("SELECT id FROM contract_values WHERE b = $1", [false]), [
    { id: 2 },
  ]);
  assert.deepEqual(
    await db.query("SELECT id FROM contract_values WHERE t IS NULL AND id = $1", [3]),
    [
      { id: 3 },
    ],
  );
}

async function countsChanges(db: Db): Promise<void> {
  await db.exec("CREATE TABLE contract_counts (id INTEGER PRIMARY KEY, tag TEXT NOT NULL)");
  assert.equal(await db.exec("INSERT INTO contract_counts (id, tag) VALUES ($1, $2)", [1, "a"]), 1);
  assert.equal(
    await db.exec("INSERT INTO contract_counts (id, tag) VALUES ($1, $2), ($3, $2)", [2, "b", 3]),
    2,
  );
  assert.equal(await db.exec("UPDATE contract_counts SET tag = $1 WHERE id >= $2", ["c", 2]), 2);
  assert.equal(await db.exec("DELETE FROM contract_counts WHERE tag = $1", ["missing"]), 0);
  assert.equal(await db.exec("DELETE FROM contract_counts"), 3);
  // Without params exec() runs a script, every statement of it.
  await db.exec(
    "INSERT INTO contract_counts (id, tag) VALUES (10, 'x;y'); " +
      "INSERT INTO contract_counts (id, tag) VALUES (11, 'z'); UPDATE contract_counts SET tag = tag || '!'",
  );
  assert.deepEqual(await db.query("SELECT id, tag FROM contract_counts ORDER BY id"), [
    { id: 10, tag: "x;y!" },
    { id: 11, tag: "z!" },
  ]);
}

async function commits(db: Db): Promise<void> {
  await db.exec("CREATE TABLE contract_commit (id INTEGER PRIMARY KEY)");
  const result = await db.transaction(async (tx) => {
    await tx.exec("INSERT INTO contract_commit (id) VALUES ($1)", [1]);
    await tx.exec("INSERT INTO contract_commit (id) VALUES ($1)", [2]);
    return (await tx.query("SELECT count(*) AS n FROM contract_commit"))[0]!.n;
  });
  assert.equal(result, 2);
  assert.deepEqual(await db.query("SELECT id FROM contract_commit ORDER BY id"), [
    { id: 1 },
    { id: 2 },
  ]);
}

async function rollsBack(db: Db): Promise<void> {
  await db.exec("CREATE TABLE contract_rollback (id INTEGER PRIMARY KEY)");
  const boom = new Error("boom");
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.exec("INSERT INTO contract_rollback (id) VALUES ($1)", [1]);
      throw boom;
    }),
    (error) => error === boom,
  );
  assert.deepEqual(await db.query("SELECT id FROM contract_rollback"), []);
  // The connection is usable afterwards.
  await db.exec("INSERT INTO contract_rollback (id) VALUES ($1)", [2]);
  assert.deepEqual(await db.query("SELECT id FROM contract_rollback"), [{ id: 2 }]);
}

async function nests(db: Db): Promise<void> {
  await db.exec("CREATE TABLE contract_nested (id INTEGER PRIMARY KEY)");
  await db.transaction(async (tx) => {
    await tx.exec("INSERT INTO contract_nested (id) VALUES (1)");
    await assert.rejects(
      tx.transaction(async (inner) => {
        await inner.exec("INSERT INTO contract_nested (id) VALUES (2)");
        throw new Error("inner");
      }),
      /inner/,
    );
    await tx.transaction((inner) => inner.exec("INSERT INTO contract_nested (id) VALUES (3)"));
  });
  assert.deepEqual(await db.query("SELECT id FROM contract_nested ORDER BY id"), [
    { id: 1 },
    { id: 3 },
  ]);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function isolates(db: Db): Promise<void> {
  await db.exec("CREATE TABLE contract_rows (id INTEGER PRIMARY KEY, tag TEXT NOT NULL)");
  await db.exec("CREATE TABLE contract_counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)");
  await db.exec("INSERT INTO contract_counter (id, n) VALUES (1, 0)");

  async function writer(tx: Db, tag: string, base: number): Promise<number> {
    await tx.exec("UPDATE contract_counter SET n = n + 1 WHERE id = 1");
    for (let i = 0; i < 3; i++) {
      await tx.exec("INSERT INTO contract_rows (id, tag) VALUES ($1, $2)", [base + i, tag]);
      await pause(5); // give the other transaction every chance to interleave
    }
    const [own] = await tx.query("SELECT count(*) AS n FROM contract_rows WHERE tag = $1", [tag]);
    return Number(own!.n);
  }

  const failure = new Error("abandon b");
  const [a, b, outside] = await Promise.allSettled([
    db.transaction((tx) => writer(tx, "a", 100)),
    db.transaction(async (tx) => {
      await writer(tx, "b", 200);
      throw failure;
    }),
    (async () => {
      await pause(2); // lands while the transactions run
      return await db.exec("INSERT INTO contract_rows (id, tag) VALUES ($1, $2)", [300, "c"]);
    })(),
  ]);
  assert.deepEqual(a, { status: "fulfilled", value: 3 });
  assert.deepEqual(b, { status: "rejected", reason: failure });
  assert.deepEqual(outside, { status: "fulfilled", value: 1 });

  const tags = await db.query(
    "SELECT tag, count(*) AS n FROM contract_rows GROUP BY tag ORDER BY tag",
  );
  assert.deepEqual(tags.map((row) => [row.tag, Number(row.n)]), [["a", 3], ["c", 1]]);
  assert.deepEqual(await db.query("SELECT n FROM contract_counter"), [{ n: 1 }]);
}

async function migratesOnce(db: Db): Promise<void> {
  const migrations: Migration[] = [
    { id: "001_table", sql: "CREATE TABLE contract_migrated (id INTEGER PRIMARY KEY, note TEXT)" },
    {
      id: "002_rows",
      sql: {
        sqlite: "INSERT INTO contract_migrated (id, note) VALUES (1, 'sqlite'); " +
          "INSERT INTO contract_migrated (id, note) VALUES (2, 'two')",
        postgres: "INSERT INTO contract_migrated (id, note) VALUES (1, 'postgres'); " +
          "INSERT INTO contract_migrated (id, note) VALUES (2, 'two')",
      },
    },
  ];
  assert.deepEqual(await migrate(db, "contract", migrations), ["001_table", "002_rows"]);
  assert.deepEqual(await migrate(db, "contract", migrations), []);
  const more = [...migrations, {
    id: "003_more",
    sql: "INSERT INTO contract_migrated (id, note) VALUES (3, 'three')",
  }];
  assert.deepEqual(await migrate(db, "contract", more), ["003_more"]);
  assert.deepEqual(await migrate(db, "contract", more), []);
  assert.deepEqual(await db.query("SELECT id, note FROM contract_migrated ORDER BY id"), [
    { id: 1, note: db.dialect },
    { id: 2, note: "two" },
    { id: 3, note: "three" },
  ]);
  // Ids are per service: another service's "001_table" is its own.
  assert.deepEqual(
    await migrate(db, "contract_other", [{
      id: "001_table",
      sql: "CREATE TABLE contract_b (x TEXT)",
    }]),
    ["001_table"],
  );
  const recorded = await db.query(
    "SELECT service, id FROM schema_migrations WHERE service LIKE $1 ORDER BY service, id",
    ["contract%"],
  );
  assert.deepEqual(recorded, [
    { service: "contract", id: "001_table" },
    { service: "contract", id: "002_rows" },
    { service: "contract", id: "003_more" },
    { service: "contract_other", id: "001_table" },
  ]);
  await assert.rejects(
    migrate(db, "contract", [{ id: "b", sql: "SELECT 1" }, { id: "a", sql: "SELECT 1" }]),
    /must sort after "b"/,
  );
}

async function migrationFails(db: Db): Promise<void> {
  const migrations: Migration[] = [
    { id: "001_ok", sql: "CREATE TABLE contract_failing_ok (id INTEGER)" },
    {
      id: "002_bad",
      sql: "CREATE TABLE contract_half (id INTEGER); INSERT INTO contract_missing VALUES (1)",
    },
  ];
  await assert.rejects(migrate(db, "contract_failing", migrations), /contract_failing\/002_bad/);
  const recorded = await db.query("SELECT id FROM schema_migrations WHERE service = $1", [
    "contract_failing",
  ]);
  assert.deepEqual(recorded, [{ id: "001_ok" }]);
  // The failed migration's first statement was rolled back with it.
  await assert.rejects(db.query("SELECT id FROM contract_half"));
  await db.exec("CREATE TABLE contract_half (id INTEGER)");
}

async function rejects(db: Db): Promise<void> {
  await assert.rejects(db.query("SELEC 1"));
  await db.exec("CREATE TABLE contract_unique (id INTEGER PRIMARY KEY)");
  await db.exec("INSERT INTO contract_unique (id) VALUES ($1)", [1]);
  await assert.rejects(db.exec("INSERT INTO contract_unique (id) VALUES ($1)", [1]));
  await assert.rejects(db.query("SELECT $1 AS x", [{ an: "object" }]), /params\[0\]/);
  assert.deepEqual(await db.query("SELECT id FROM contract_unique"), [{ id: 1 }]);
}
