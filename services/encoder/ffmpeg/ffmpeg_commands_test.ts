import assert from "node:assert/strict";
import { join } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { requireBinary } from "@spiritstream/testing";
import {
  bundledFfmpegPath,
  checkFfmpegUpdate,
  deleteFfmpeg,
  testFfmpeg,
} from "./ffmpeg_commands.ts";

const systemFfmpeg = requireBinary("ffmpeg");

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ffmpeg_commands_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function appError(code: string, pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  };
}

Deno.test("testFfmpeg() runs the resolved FFmpeg and answers its version line", async () => {
  assert.match(await testFfmpeg({ path: systemFfmpeg }), /^ffmpeg version \S+/);
  await assert.rejects(
    testFfmpeg({ path: "/nonexistent/ffmpeg" }),
    appError("failed_precondition", /FFmpeg at \/nonexistent\/ffmpeg does not work: no file/),
  );
});

Deno.test("bundledFfmpegPath() answers the setting, then the managed copy, else null", async () => {
  await withTempDir(async (dir) => {
    assert.equal(await bundledFfmpegPath(null, { managedDir: dir }), null);
    assert.equal(await bundledFfmpegPath(join(dir, "missing")), null);
    const managed = join(dir, "ffmpeg");
    await Deno.symlink(systemFfmpeg, managed);
    assert.equal(await bundledFfmpegPath(join(dir, "missing"), { managedDir: dir }), managed);
    assert.equal(await bundledFfmpegPath(systemFfmpeg, { managedDir: dir }), systemFfmpeg);
  });
});

Deno.test("checkFfmpegUpdate() without a configured download has no latest version to offer", () => {
  const status = checkFfmpegUpdate("ffmpeg version 5.1.9");
  assert.equal(status.installed_version, "ffmpeg version 5.1.9");
  assert.equal(status.latest_version, null);
  assert.equal(status.update_available, false);
  assert.match(
    status.status,
    /^No FFmpeg download is configured .*SPIRITSTREAM_FFMPEG_DOWNLOAD_URL/,
  );
  assert.equal(checkFfmpegUpdate().installed_version, null);
});

Deno.test("checkFfmpegUpdate() compares the managed copy with the pinned build", () => {
  const pinned = { version: "7.1", sha256: "b".repeat(64) };
  const none = checkFfmpegUpdate(null, { ...pinned, installed: null });
  assert.deepEqual([none.latest_version, none.update_available], ["7.1", false]);
  assert.match(
    none.status,
    /^FFmpeg not installed: download_ffmpeg installs the pinned build 7\.1/,
  );
  const record = { version: "7.0", sha256: "a".repeat(64), versionLine: "ffmpeg version 7.0" };
  const old = checkFfmpegUpdate(null, { ...pinned, installed: record });
  assert.equal(old.installed_version, "ffmpeg version 7.0");
  assert.equal(old.update_available, true);
  const same = checkFfmpegUpdate(null, {
    ...pinned,
    installed: { ...record, sha256: pinned.sha256 },
  });
  assert.equal(same.update_available, false);
  assert.match(same.status, /^Up to date/);
});

Deno.test("deleteFfmpeg() deletes only inside the managed directory", async () => {
  await withTempDir(async (dir) => {
    const managedDir = join(dir, "data");
    await Deno.mkdir(join(managedDir, "bin"), { recursive: true });
    const copy = join(managedDir, "bin", "ffmpeg");
    await Deno.writeTextFile(copy, "binary", { mode: 0o755 });
    assert.deepEqual(await deleteFfmpeg(copy, { managedDir }), { deleted: copy });
    await assert.rejects(Deno.stat(copy), Deno.errors.NotFound);

    await assert.rejects(
      deleteFfmpeg(systemFfmpeg, { managedDir }),
      appError("failed_precondition", /outside SpiritStream's managed directory.*apt-get remove/),
    );
    assert.ok((await Deno.stat(systemFfmpeg)).isFile, "the system FFmpeg is untouched");

    // a path that walks out of the directory is judged by where it really points
    const escape = join(managedDir, "..", "outside");
    await Deno.writeTextFile(escape, "x");
    await assert.rejects(
      deleteFfmpeg(escape, { managedDir }),
      appError("failed_precondition", /outside/),
    );
    assert.ok((await Deno.stat(escape)).isFile);

    // a symlink inside is removed as a link; its target survives
    const link = join(managedDir, "ffmpeg");
    await Deno.symlink(systemFfmpeg, link);
    await deleteFfmpeg(link, { managedDir });
    await assert.rejects(Deno.lstat(link), Deno.errors.NotFound);
    assert.ok((await Deno.stat(systemFfmpeg)).isFile);

    await assert.rejects(
      deleteFfmpeg(join(managedDir, "ffmpeg"), { managedDir }),
      appError("not_found", /nothing to delete/),
    );
  });
});
