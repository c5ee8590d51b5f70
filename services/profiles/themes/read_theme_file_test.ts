import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { join } from "node:path";
import { readThemeFile } from "./read_theme_file.ts";

interface Dirs {
  root: string;
  data: string;
  home: string;
  outside: string;
}

async function withDirs(fn: (dirs: Dirs) => Promise<void>): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "themes_path_" });
  const dirs = {
    root,
    data: join(root, "data"),
    home: join(root, "home"),
    outside: join(root, "outside"),
  };
  try {
    for (const dir of [dirs.data, dirs.home, dirs.outside]) await Deno.mkdir(dir);
    await fn(dirs);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function rejects(
  path: string,
  roots: string[],
  expected: { code?: string; message: string },
): Promise<void> {
  await assert.rejects(readThemeFile(path, { roots }), (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, expected.code ?? "invalid_argument");
    assert.equal(error.message, expected.message);
    return true;
  });
}

const rule = (text: string) => ({ message: `Invalid argument "themePath": ${text}` });

Deno.test("readThemeFile() reads .json and .jsonc files inside the data or home dir", async () => {
  await withDirs(async ({ data, home }) => {
    await Deno.writeTextFile(join(home, "a.jsonc"), "// home");
    await Deno.mkdir(join(data, "themes"));
    await Deno.writeTextFile(join(data, "themes", "b.JSON"), "{}");
    assert.equal(await readThemeFile(join(home, "a.jsonc"), { roots: [data, home] }), "// home");
    assert.equal(await readThemeFile(join(data, "themes", "b.JSON"), { roots: [data] }), "{}");
  });
});

Deno.test("readThemeFile() accepts a root that is itself a symlink", async () => {
  await withDirs(async ({ root, home }) => {
    const link = join(root, "home-link");
    await Deno.symlink(home, link);
    await Deno.writeTextFile(join(home, "a.json"), "{}");
    assert.equal(await readThemeFile(join(link, "a.json"), { roots: [link] }), "{}");
  });
});

Deno.test("readThemeFile() rejects traversal, relative paths and wrong extensions", async () => {
  await withDirs(async ({ data, home }) => {
    const roots = [data, home];
    await Deno.writeTextFile(join(home, "theme.txt"), "{}");
    await rejects("../../etc/passwd", roots, rule('must not contain ".."'));
    await rejects(`${home}/../outside/t.json`, roots, rule('must not contain ".."'));
    await rejects("theme.json", roots, rule("must be an absolute path"));
    await rejects(join(home, "theme.txt"), roots, rule("must end in .json or .jsonc"));
    await rejects(join(home, "theme.json.bak"), roots, rule("must end in .json or .jsonc"));
  });
});

Deno.test("readThemeFile() rejects files outside the roots, also through symlinks", async () => {
  await withDirs(async ({ data, home, outside }) => {
    const roots = [data, home];
    const foreign = join(outside, "t.json");
    await Deno.writeTextFile(foreign, "{}");
    const outsideRule = rule("must be inside the data directory or the home directory");
    await rejects(foreign, roots, outsideRule);
    // Outside the roots a missing file is the same answer: no probing for existence.
    await rejects(join(outside, "missing.json"), roots, outsideRule);
    await Deno.symlink(foreign, join(home, "escape.json"));
    await rejects(join(home, "escape.json"), roots, outsideRule);
    await Deno.symlink(outside, join(home, "dir-link"));
    await rejects(join(home, "dir-link", "t.json"), roots, outsideRule);
    await Deno.writeTextFile(join(home, "notes.txt"), "{}");
    await Deno.symlink(join(home, "notes.txt"), join(home, "renamed.json"));
    await rejects(join(home, "renamed.json"), roots, rule("must end in .json or .jsonc"));
  });
});

Deno.test("readThemeFile() rejects missing, non-regular and oversized files", async () => {
  await withDirs(async ({ home }) => {
    const roots = [home];
    await rejects(join(home, "missing.json"), roots, {
      code: "not_found",
      message: `Theme file not found: ${join(home, "missing.json")}`,
    });
    await Deno.mkdir(join(home, "folder.json"));
    await rejects(join(home, "folder.json"), roots, rule("must be a regular file"));
    const fifo = join(home, "pipe.json");
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0);
    await rejects(fifo, roots, rule("must be a regular file"));
    await Deno.writeTextFile(join(home, "big.json"), " ".repeat(256 * 1024 + 1));
    await rejects(join(home, "big.json"), roots, rule("must be at most 256 KiB"));
    await Deno.writeFile(join(home, "binary.json"), new Uint8Array([0xff, 0xfe, 0x00]));
    await rejects(join(home, "binary.json"), roots, rule("must be UTF-8 text"));
  });
});
