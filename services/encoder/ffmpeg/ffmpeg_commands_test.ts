import assert from "node:assert/strict";
import { join } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { requireBinary } from "@spiritstream/testing";
import {
  bundledFfmpegPath,
  checkFfmpegUpdate,
  deleteFfmpeg,
  downloadFfmpeg,
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

Deno.test("checkFfmpegUpdate() is honest that no update source is reachable", () => {
  const status = checkFfmpegUpdate("ffmpeg version 5.1.9");
  assert.equal(status.installed_version, "ffmpeg version 5.1.9");
  assert.equal(status.latest_version, null);
  assert.equal(status.update_available, false);
  assert.match(status.status, /^Update check is not available offline: /);
  assert.equal(checkFfmpegUpdate().installed_version, null);
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

Deno.test("downloadFfmpeg() refuses with the package-manager hint instead of faking success", async () => {
  await assert.rejects(
    downloadFfmpeg(),
    appError("failed_precondition", /^Cannot download FFmpeg: .*apt-get install ffmpeg/),
  );
});
