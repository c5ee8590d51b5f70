// Child process for sqlite_durability_test.ts: inserts rows until killed, printing each id once
// its commit has been acknowledged.
import { openSqlite } from "../sqlite.ts";

const path = Deno.args[0];
if (!path) throw new Error("Usage: sqlite_writer.ts <db-path>");
const db = openSqlite(path);
await db.exec("CREATE TABLE IF NOT EXISTS acked (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
const encoder = new TextEncoder();
const body = "x".repeat(512);
for (let id = 1; id <= 1_000_000; id++) {
  // Alternate plain statements and two-statement transactions.
  if (id % 2 === 0) {
    await db.exec("INSERT INTO acked (id, body) VALUES ($1, $2)", [id, body]);
  } else {
    await db.transaction(async (tx) => {
      await tx.exec("INSERT INTO acked (id, body) VALUES ($1, $2)", [id, "pending"]);
      await tx.exec("UPDATE acked SET body = $2 WHERE id = $1", [id, body]);
    });
  }
  await Deno.stdout.write(encoder.encode(`${id}\n`));
}
