import assert from "node:assert/strict";
import { join } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { requireBinary } from "@spiritstream/testing";
import { validateFfmpegPath } from "./validate_ffmpeg_path.ts";

const systemFfmpeg = requireBinary("ffmpeg");

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "validate_ffmpeg_path_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function invalidPath(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, "invalid_argument");
    assert.match(error.message, /^Invalid argument "path": /);
    assert.match(error.message, pattern);
    return true;
  };
}

/** A shell script that records that it ran (in `marker`), then prints `banner`. */
async function writeScript(
  path: string,
  options: { marker: string; banner: string; mode: number; extra?: string },
): Promise<void> {
  const { marker, banner, mode, extra = "" } = options;
  await Deno.writeTextFile(path, `#!/bin/sh\necho ran > '${marker}'\n${extra}echo '${banner}'\n`, {
    mode,
  });
  await Deno.chmod(path, mode);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

Deno.test("validateFfmpegPath() accepts the real FFmpeg and answers its version line", async () => {
  assert.match(await validateFfmpegPath(systemFfmpeg), /^ffmpeg version \S+/);
});

Deno.test("validateFfmpegPath() refuses an empty or relative path", async () => {
  await assert.rejects(validateFfmpegPath("  "), invalidPath(/must not be empty/));
  await assert.rejects(validateFfmpegPath("ffmpeg"), invalidPath(/must be an absolute path/));
});

Deno.test("validateFfmpegPath() refuses a binary not named ffmpeg, without running it", async () => {
  await assert.rejects(
    validateFfmpegPath("/bin/sh"),
    invalidPath(/not an FFmpeg: its file name must be ffmpeg, ffmpeg\.exe or ffmpeg-<version>/),
  );
  await withTempDir(async (dir) => {
    const marker = join(dir, "ran");
    const script = join(dir, "encoder");
    await writeScript(script, { marker, banner: "ffmpeg version 6.1", mode: 0o755 });
    await assert.rejects(validateFfmpegPath(script), invalidPath(/not an FFmpeg: its file name/));
    assert.equal(await exists(marker), false, "the script never ran");
  });
});

Deno.test("validateFfmpegPath() refuses a missing file, a folder and a non-executable file named ffmpeg", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      validateFfmpegPath(join(dir, "missing", "ffmpeg")),
      invalidPath(/not an FFmpeg: no file exists at this path \(.*missing\/ffmpeg\)/),
    );
    await Deno.mkdir(join(dir, "ffmpeg-7.1"));
    await assert.rejects(
      validateFfmpegPath(join(dir, "ffmpeg-7.1")),
      invalidPath(/not an FFmpeg: this path is a directory, not a file/),
    );
    const marker = join(dir, "ran");
    const fake = join(dir, "ffmpeg");
    await writeScript(fake, { marker, banner: "ffmpeg version 6.1", mode: 0o644 });
    await assert.rejects(
      validateFfmpegPath(fake),
      invalidPath(/not an FFmpeg: the file is not executable/),
    );
    assert.equal(await exists(marker), false, "the script never ran");
  });
});

Deno.test("validateFfmpegPath() refuses an executable named ffmpeg whose banner is not FFmpeg's", async () => {
  await withTempDir(async (dir) => {
    const linked = join(dir, "ffmpeg");
    await Deno.symlink("/bin/sh", linked);
    await assert.rejects(
      validateFfmpegPath(linked),
      invalidPath(/not an FFmpeg: running it with -version did not print "ffmpeg version"/),
    );
    const fake = join(dir, "ffmpeg-static");
    await writeScript(fake, {
      marker: join(dir, "ran"),
      banner: "Lavf-but-not-really",
      mode: 0o755,
    });
    await assert.rejects(
      validateFfmpegPath(fake),
      invalidPath(/did not print "ffmpeg version" \(it printed "Lavf-but-not-really"\)/),
    );
  });
});

Deno.test("validateFfmpegPath() runs the file with an empty environment and a short timeout", async () => {
  const secret = "SPIRITSTREAM_VALIDATE_TEST_SECRET";
  Deno.env.set(secret, "must-not-leak");
  try {
    await withTempDir(async (dir) => {
      const seen = join(dir, "env");
      const fake = join(dir, "ffmpeg");
      await writeScript(fake, {
        marker: join(dir, "ran"),
        banner: "ffmpeg version 6.1.1 Copyright (c) 2000-2024 the FFmpeg developers",
        mode: 0o755,
        extra: `env > '${seen}'\n`,
      });
      assert.match(await validateFfmpegPath(fake), /^ffmpeg version 6\.1\.1 /);
      const env = await Deno.readTextFile(seen);
      assert.ok(!env.includes(secret), env);
      assert.ok(!env.includes("HOME="), env);

      const slow = join(dir, "ffmpeg-slow");
      await writeScript(slow, {
        marker: join(dir, "ran"),
        banner: "ffmpeg version 6.1",
        mode: 0o755,
        extra: "sleep 30\n",
      });
      await assert.rejects(
        validateFfmpegPath(slow, { timeoutMs: 300 }),
        invalidPath(/did not answer -version within 0\.3 s and was stopped/),
      );
    });
  } finally {
    Deno.env.delete(secret);
  }
});
