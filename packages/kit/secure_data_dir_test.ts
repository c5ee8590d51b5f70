import assert from "node:assert/strict";
import { secureDataDir } from "./secure_data_dir.ts";

async function mode(path: string): Promise<number> {
  return (await Deno.lstat(path)).mode! & 0o777;
}

/** Runs `fn` with the process umask at `umask` (0: nothing masked), then restores it. */
async function withUmask(umask: number, fn: () => Promise<void>): Promise<void> {
  const previous = Deno.umask(umask);
  try {
    await fn();
  } finally {
    Deno.umask(previous);
  }
}

Deno.test("secureDataDir() creates the data dir 0700 even with an umask that masks nothing", async () => {
  const parent = await Deno.makeTempDir();
  try {
    await withUmask(0, async () => {
      const dir = await secureDataDir(`${parent}/nested/data`);
      assert.equal(await mode(dir), 0o700);
    });
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});

Deno.test("secureDataDir() tightens an existing 0755 dir and what in it is ours, and leaves the rest alone", async () => {
  const dir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await withUmask(0, async () => {
      await Deno.chmod(dir, 0o755);
      const ours = [
        "auth.db",
        "auth.db-wal",
        "auth.db-shm",
        "profiles.db",
        "events.db-journal",
        "secrets.key",
        "secrets.key.0a1b2c3d.tmp",
      ];
      for (const name of ours) await Deno.writeTextFile(`${dir}/${name}`, "x", { mode: 0o644 });
      await Deno.mkdir(`${dir}/themes/nested`, { recursive: true, mode: 0o755 });
      await Deno.writeTextFile(`${dir}/themes/mine.json`, "{}", { mode: 0o664 });
      await Deno.writeTextFile(`${dir}/themes/nested/deep.json`, "{}", { mode: 0o644 });
      await Deno.mkdir(`${dir}/ffmpeg`, { mode: 0o755 });
      await Deno.writeTextFile(`${dir}/ffmpeg/ffmpeg`, "#!", { mode: 0o755 });
      await Deno.mkdir(`${dir}/logs`, { mode: 0o755 });
      await Deno.writeTextFile(`${dir}/logs/spiritstream.log`, "x", { mode: 0o644 });
      await Deno.writeTextFile(`${dir}/notes.txt`, "the user's", { mode: 0o644 });
      await Deno.writeTextFile(`${outside}/target`, "elsewhere", { mode: 0o644 });
      await Deno.symlink(`${outside}/target`, `${dir}/themes/link.json`);

      await secureDataDir(dir);
      assert.equal(await mode(dir), 0o700);
      for (const name of ours) assert.equal(await mode(`${dir}/${name}`), 0o600, name);
      assert.equal(await mode(`${dir}/themes`), 0o700);
      assert.equal(await mode(`${dir}/themes/nested`), 0o700);
      assert.equal(await mode(`${dir}/themes/mine.json`), 0o600);
      assert.equal(await mode(`${dir}/themes/nested/deep.json`), 0o600);
      assert.equal(await mode(`${dir}/ffmpeg/ffmpeg`), 0o700, "an FFmpeg copy stays executable");
      assert.equal(await mode(`${dir}/logs/spiritstream.log`), 0o600);
      assert.equal(await mode(`${dir}/notes.txt`), 0o644, "not ours: left alone");
      assert.equal(await mode(`${outside}/target`), 0o644, "a link is not followed");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
