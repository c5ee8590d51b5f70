import assert from "node:assert/strict";
import { join } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { requireBinary } from "@spiritstream/testing";
import { resolveFfmpeg, wellKnownFfmpegPaths } from "./resolve_ffmpeg.ts";

const systemFfmpeg = requireBinary("ffmpeg");
const systemDir = systemFfmpeg.slice(0, systemFfmpeg.lastIndexOf("/"));

interface Scratch {
  dir: string;
  /** Creates `<dir>/<sub>/ffmpeg` as a shell script printing `output` and returns its path. */
  script(sub: string, output: string, mode?: number): Promise<string>;
  /** Creates `<dir>/<sub>/ffmpeg` as a symlink to the system FFmpeg. */
  link(sub: string): Promise<string>;
}

async function withScratch(fn: (scratch: Scratch) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "resolve_ffmpeg_" });
  const place = async (sub: string) => {
    await Deno.mkdir(join(dir, sub), { recursive: true });
    return join(dir, sub, "ffmpeg");
  };
  try {
    await fn({
      dir,
      async script(sub, output, mode = 0o755) {
        const path = await place(sub);
        await Deno.writeTextFile(path, `#!/bin/sh\necho "${output}"\n`, { mode });
        await Deno.chmod(path, mode);
        return path;
      },
      async link(sub) {
        const path = await place(sub);
        await Deno.symlink(systemFfmpeg, path);
        return path;
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("resolveFfmpeg() prefers the setting: a symlink to FFmpeg wins over PATH", async () => {
  await withScratch(async (s) => {
    const link = await s.link("setting");
    const resolved = await resolveFfmpeg({ settingPath: link, pathEnv: systemDir });
    assert.equal(resolved.source, "setting");
    assert.equal(resolved.path, link);
    assert.match(resolved.version, /^ffmpeg version /);
    assert.ok(resolved.major >= 5);
    assert.deepEqual(resolved.skipped, []);
  });
});

Deno.test("resolveFfmpeg() rejects a script on PATH that is not FFmpeg and moves on", async () => {
  await withScratch(async (s) => {
    const fake = await s.script("fakebin", "hello, I am not a video tool");
    const resolved = await resolveFfmpeg({ pathEnv: `${join(s.dir, "fakebin")}:${systemDir}` });
    assert.equal(resolved.source, "path");
    assert.equal(resolved.path, systemFfmpeg);
    assert.deepEqual(resolved.skipped, [{
      source: "path",
      path: fake,
      reason:
        'running it with -version did not print "ffmpeg version" (it printed "hello, I am not a video tool")',
    }]);
  });
});

Deno.test("resolveFfmpeg() records a broken setting, rejects an old FFmpeg, then uses env", async () => {
  await withScratch(async (s) => {
    const old = await s.script("old", "ffmpeg version 4.3.2 Copyright (c) 2000-2021");
    const link = await s.link("env");
    const resolved = await resolveFfmpeg({
      settingPath: join(s.dir, "gone", "ffmpeg"),
      envPath: link,
      pathEnv: `${join(s.dir, "old")}:${systemDir}`,
    });
    assert.equal(resolved.source, "env");
    assert.equal(resolved.path, link);
    assert.deepEqual(resolved.skipped, [{
      source: "setting",
      path: join(s.dir, "gone", "ffmpeg"),
      reason: "no file exists at this path",
    }]);

    const fromPath = await resolveFfmpeg({ envPath: old, pathEnv: systemDir });
    assert.equal(fromPath.source, "path");
    assert.equal(fromPath.skipped[0]?.source, "env");
    assert.equal(
      fromPath.skipped[0]?.reason,
      "it is FFmpeg 4.3; SpiritStream needs 4.4 or newer",
    );
  });
});

Deno.test("resolveFfmpeg() never runs a setting whose file is not named like FFmpeg", async () => {
  await withScratch(async (s) => {
    const marker = join(s.dir, "ran");
    const shell = join(s.dir, "sh-like");
    await Deno.writeTextFile(
      shell,
      `#!/bin/sh\necho ran > '${marker}'\necho "ffmpeg version 6.1"\n`,
      {
        mode: 0o755,
      },
    );
    await Deno.chmod(shell, 0o755);
    const resolved = await resolveFfmpeg({ settingPath: shell, pathEnv: systemDir });
    assert.equal(resolved.source, "path");
    assert.deepEqual(resolved.skipped, [{
      source: "setting",
      path: shell,
      reason: 'its file name must be ffmpeg, ffmpeg.exe or ffmpeg-<version>, not "sh-like"',
    }]);
    assert.equal(await Deno.lstat(marker).then(() => true, () => false), false, "never ran");
  });
});

Deno.test("resolveFfmpeg() skips a file that is not executable", async () => {
  await withScratch(async (s) => {
    const plain = await s.script("noexec", "ffmpeg version 6.0", 0o644);
    const resolved = await resolveFfmpeg({ settingPath: plain, pathEnv: systemDir });
    assert.equal(resolved.source, "path");
    assert.equal(resolved.skipped[0]?.reason, "the file is not executable (permission denied)");
  });
});

Deno.test("resolveFfmpeg() falls back to the well-known paths without PATH", async () => {
  const resolved = await resolveFfmpeg({ platform: "linux" });
  assert.equal(resolved.source, "well-known");
  assert.ok(wellKnownFfmpegPaths("linux").includes(resolved.path));
});

Deno.test("resolveFfmpeg() fails with every usable reason and the install hint", async () => {
  await withScratch(async (s) => {
    const fake = await s.script("fake", "not ffmpeg");
    await assert.rejects(
      // the Windows well-known paths do not exist here, so nothing can be found
      resolveFfmpeg({ settingPath: fake, pathEnv: join(s.dir, "empty"), platform: "windows" }),
      (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, "failed_precondition");
        assert.match(error.message, /^FFmpeg not found: none of the 6 places tried/);
        assert.ok(error.message.includes(`setting ${fake}: running it with -version`));
        assert.match(error.message, /apt-get install ffmpeg/);
        return true;
      },
    );
  });
});

Deno.test("wellKnownFfmpegPaths() lists each OS's usual install places", () => {
  assert.deepEqual(wellKnownFfmpegPaths("linux").slice(0, 3), [
    "/usr/bin/ffmpeg",
    "/usr/local/bin/ffmpeg",
    "/snap/bin/ffmpeg",
  ]);
  assert.equal(wellKnownFfmpegPaths("darwin")[0], "/opt/homebrew/bin/ffmpeg");
  assert.ok(wellKnownFfmpegPaths("windows").includes("C:\\Program Files\\ffmpeg\\bin\\ffmpeg.exe"));
  assert.ok(wellKnownFfmpegPaths("windows").includes("C:\\ffmpeg\\bin\\ffmpeg.exe"));
});
