import assert from "node:assert/strict";
import { createLogger } from "./logger.ts";
import { createRedactor } from "./redact.ts";
import { openRotatingLogFile } from "./rotating_log_file.ts";

async function mode(path: string): Promise<number> {
  return (await Deno.stat(path)).mode! & 0o777;
}

Deno.test("RotatingLogFile: a logger's lines land in the file, redacted, 0600 in a 0700 dir", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = `${root}/data/logs`;
    const file = await openRotatingLogFile(dir);
    const redactor = createRedactor();
    redactor.add("live_sk_0123456789abcdef");
    const logger = createLogger({ destination: { write() {} }, redactor, file });
    logger.info({ streamKey: "plain-key-in-field" }, "publishing with live_sk_0123456789abcdef");
    logger.warn({ url: "rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl" }, "push ended");
    await file.close();
    const text = await Deno.readTextFile(`${dir}/spiritstream.log`);
    const lines = text.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(lines.map((l) => l.msg), ["publishing with ***", "push ended"]);
    assert.doesNotMatch(text, /live_sk_0123456789abcdef|plain-key-in-field|abcd-efgh-ijkl/);
    if (Deno.build.os !== "windows") {
      assert.equal(await mode(dir), 0o700);
      assert.equal(await mode(`${dir}/spiritstream.log`), 0o600);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("RotatingLogFile: rotates by size and keeps maxFiles files, newest in the plain name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = await openRotatingLogFile(dir, { name: "x.log", maxBytes: 1000, maxFiles: 3 });
    for (let i = 0; i < 100; i++) file.write(`${JSON.stringify({ i, pad: "p".repeat(80) })}\n`);
    await file.close();
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(names, ["x.log", "x.log.1", "x.log.2"]);
    const numbers = async (name: string) =>
      (await Deno.readTextFile(`${dir}/${name}`)).trimEnd().split("\n").map((l) => JSON.parse(l).i);
    for (const name of names) {
      assert.ok((await Deno.stat(`${dir}/${name}`)).size <= 1000, `${name} within the cap`);
      if (Deno.build.os !== "windows") assert.equal(await mode(`${dir}/${name}`), 0o600);
    }
    // Whole lines only, in order across the files, and the newest lines survive.
    const all = [
      ...await numbers("x.log.2"),
      ...await numbers("x.log.1"),
      ...await numbers("x.log"),
    ];
    assert.equal(all.at(-1), 99);
    assert.deepEqual(all, all.map((_, k) => all[0]! + k));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingLogFile: continues an existing file and tightens its 0644 mode", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/spiritstream.log`, '{"old":1}\n', { mode: 0o644 });
    if (Deno.build.os !== "windows") await Deno.chmod(`${dir}/spiritstream.log`, 0o644);
    const file = await openRotatingLogFile(dir);
    file.write('{"new":2}\n');
    await file.close();
    assert.equal(await Deno.readTextFile(`${dir}/spiritstream.log`), '{"old":1}\n{"new":2}\n');
    if (Deno.build.os !== "windows") assert.equal(await mode(`${dir}/spiritstream.log`), 0o600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("RotatingLogFile: a folder that vanished is made again; held lines are capped, the drop said", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = `${root}/logs`;
    const maxBytes = 2 * 1024 * 1024;
    const file = await openRotatingLogFile(dir, { maxBytes, maxFiles: 2, flushMs: 10 });
    await Deno.remove(dir, { recursive: true });
    const line = `${"x".repeat(1000)}\n`;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) file.write(line);
      await file.flush();
    }
    // past maxBytes: the rotation cannot reopen, the file is gone
    // Before, every later line piled up in memory for good and nothing was written again.
    for (let i = 0; i < 3000; i++) file.write(line); // 3 MB, beyond the 1 MiB held at most
    await file.flush();
    file.write("after\n");
    await file.close();
    const text = await Deno.readTextFile(`${dir}/spiritstream.log`);
    assert.match(text, /"msg":"\d+ log lines were dropped"/);
    assert.match(text, /after\n$/);
    assert.ok(text.length < 1.2 * 1024 * 1024, `held lines were capped (${text.length} bytes)`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("RotatingLogFile: never appends through a link planted in the log folder", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dir = `${root}/logs`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${root}/victim`, "precious\n");
    await Deno.symlink(`${root}/victim`, `${dir}/spiritstream.log`);
    await assert.rejects(openRotatingLogFile(dir), /not a regular file/);
    assert.equal(await Deno.readTextFile(`${root}/victim`), "precious\n");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
