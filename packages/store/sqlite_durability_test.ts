import assert from "node:assert/strict";
import { openSqlite } from "./sqlite.ts";

const WRITER = new URL("./testdata/sqlite_writer.ts", import.meta.url).pathname;

/** Reads `stream` line by line, calling `onLine` for each complete line. */
async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    lines.forEach(onLine);
  }
}

Deno.test("openSqlite() keeps every acknowledged write when the process is SIGKILLed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-sqlite-kill-" });
  const path = `${dir}/store.db`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", `--allow-read=${dir}`, `--allow-write=${dir}`, WRITER, path],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    const acked: number[] = [];
    let killed = false;
    const stderr = new Response(child.stderr).text();
    await readLines(child.stdout, (line) => {
      acked.push(Number(line));
      if (acked.length === 300 && !killed) {
        killed = true;
        child.kill("SIGKILL"); // mid-burst: the writer never pauses between commits
      }
    });
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL", `writer ended on its own: ${await stderr}`);
    await stderr;
    assert.ok(acked.length >= 300, `only ${acked.length} ids acknowledged`);
    assert.deepEqual(acked, acked.map((_, index) => index + 1)); // printed in order, none torn

    const db = openSqlite(path);
    try {
      assert.deepEqual(await db.query("PRAGMA integrity_check"), [{ integrity_check: "ok" }]);
      const rows = await db.query<{ id: number; body: string }>(
        "SELECT id, body FROM acked ORDER BY id",
      );
      const present = new Set(rows.map((row) => row.id));
      const missing = acked.filter((id) => !present.has(id));
      assert.deepEqual(missing, [], "acknowledged ids lost");
      // At most the commit in flight at the kill made it without being acknowledged.
      assert.ok(rows.length <= acked.length + 1, `${rows.length} rows for ${acked.length} acks`);
      assert.ok(
        rows.every((row) => row.body.length === 512),
        "a half-applied transaction survived",
      );
    } finally {
      await db.close();
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch {
      // already dead
    }
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
});
