import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { resolveExportFile } from "./resolve_export_file.ts";

/** A home folder with the data folder inside it, and a folder outside both (stand-in for /etc). */
async function folders() {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "spiritstream-export-" }));
  const home = `${base}/home`;
  const data = `${home}/.local/share/spiritstream`;
  const outside = `${base}/etc`;
  for (const dir of [data, outside, `${home}/Downloads`, `${home}/.ssh`]) {
    await Deno.mkdir(dir, { recursive: true });
  }
  const resolve = (path: string | null) =>
    resolveExportFile({
      field: "exportPath",
      path,
      dataDir: data,
      homeDir: home,
      fileName: "x.json",
    });
  return { base, home, data, outside, resolve };
}

function refused(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof AppError && error.code === "invalid_argument" &&
    error.message.startsWith('Invalid argument "exportPath": ') && pattern.test(error.message);
}

Deno.test("resolveExportFile() puts a file without a path into <data>/exports, creating only that", async () => {
  const { base, data, resolve } = await folders();
  try {
    assert.equal(await resolve(null), `${data}/exports/x.json`);
    assert.equal((await Deno.stat(`${data}/exports`)).mode! & 0o777, 0o700);
    assert.equal(await resolve(`${data}/exports`), `${data}/exports/x.json`);
    assert.equal(await resolve(`${data}/exports/mine.json`), `${data}/exports/mine.json`);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveExportFile() accepts new files in the home folder outside hidden folders", async () => {
  const { base, home, resolve } = await folders();
  try {
    assert.equal(await resolve(`${home}/Downloads`), `${home}/Downloads/x.json`);
    assert.equal(await resolve(`${home}/Downloads/logs.txt`), `${home}/Downloads/logs.txt`);
    assert.equal(await resolve(`${home}/bundle.json`), `${home}/bundle.json`);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveExportFile() refuses a symlinked folder out of the roots and creates nothing there", async () => {
  const { base, home, data, outside, resolve } = await folders();
  try {
    await Deno.symlink(outside, `${home}/escape`);
    await assert.rejects(resolve(`${home}/escape`), refused(/must be inside the "exports" folder/));
    await assert.rejects(resolve(`${home}/escape/x.json`), refused(/must be inside/));
    // Even the default folder: a planted link is followed, checked and refused.
    await Deno.symlink(outside, `${data}/exports`);
    await assert.rejects(resolve(null), refused(/must be inside/));
    assert.deepEqual(await Array.fromAsync(Deno.readDir(outside)), []);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveExportFile() refuses an existing file, hidden or data folders, traversal and relative paths", async () => {
  const { base, home, data, outside, resolve } = await folders();
  try {
    await Deno.writeTextFile(`${home}/Downloads/old.log`, "keep");
    await Deno.writeTextFile(`${home}/.bashrc`, "keep");
    await Deno.writeTextFile(`${data}/secrets.key`, "keep");
    await assert.rejects(resolve(`${home}/Downloads/old.log`), refused(/already exists/));
    await assert.rejects(resolve(`${home}/.bashrc`), refused(/hidden file/));
    await assert.rejects(resolve(`${home}/.profile`), refused(/hidden file/));
    await assert.rejects(resolve(`${home}/.ssh/authorized_keys`), refused(/not in a hidden/));
    await assert.rejects(resolve(`${data}/secrets.key`), refused(/nor elsewhere in the data/));
    await assert.rejects(resolve(`${data}/new.db`), refused(/nor elsewhere in the data/));
    await assert.rejects(resolve(`${outside}/x.json`), refused(/must be inside/));
    await assert.rejects(resolve(`${home}/Downloads/../../etc/x.json`), refused(/"\.\."/));
    await assert.rejects(resolve("relative.json"), refused(/absolute/));
    await assert.rejects(resolve(`${home}/missing/x.json`), refused(/folder does not exist/));
    await assert.rejects(resolve(`${home}/missing/`), refused(/folder does not exist/));
    await assert.rejects(resolve(`${home}/a\u0000b`), refused(/NUL/));
    // A link planted at the file name is an existing file too: never followed.
    await Deno.symlink(`${outside}/victim`, `${home}/Downloads/link.json`);
    await assert.rejects(resolve(`${home}/Downloads/link.json`), refused(/already exists/));
    assert.equal(await Deno.readTextFile(`${home}/.bashrc`), "keep");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("resolveExportFile() ignores a home folder that is the filesystem root", async () => {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "spiritstream-export-" }));
  try {
    await assert.rejects(
      resolveExportFile({
        field: "path",
        path: `${base}/x.log`,
        dataDir: `${base}/data`,
        homeDir: "/",
        fileName: "x",
      }),
      (error: unknown) => error instanceof AppError && /"path": must be inside/.test(error.message),
    );
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
