import assert from "node:assert/strict";
import { requireBinary } from "@spiritstream/testing";
import { parseFfmpegVersion, probeFfmpeg } from "./probe_ffmpeg.ts";

Deno.test("parseFfmpegVersion() reads release, n-prefixed and vendor version strings", () => {
  const read = (text: string) => {
    const version = parseFfmpegVersion(text);
    return version && [version.major, version.minor];
  };
  assert.deepEqual(read("ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026"), [5, 1]);
  assert.deepEqual(read("ffmpeg version n7.1 Copyright (c) 2000-2024"), [7, 1]);
  assert.deepEqual(read("ffmpeg version 7.1.1-full_build-www.gyan.dev Copyright"), [7, 1]);
  assert.deepEqual(read("ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright"), [4, 4]);
  assert.equal(read("hello"), null);
  assert.equal(parseFfmpegVersion("ffmpeg version 6.0 x\n")?.version, "ffmpeg version 6.0 x");
});

Deno.test("parseFfmpegVersion() falls back to libavcodec for git builds", () => {
  const git = (lavc: string) =>
    parseFfmpegVersion(
      `ffmpeg version N-118512-g1234abcd Copyright\nlibavutil 59. 8.100\nlibavcodec     ${lavc} / x\n`,
    );
  assert.deepEqual([git("61. 19.100")?.major, git("61. 19.100")?.minor], [7, 0]);
  assert.equal(git("59. 37.100")?.major, 5);
  assert.deepEqual([git("58.134.100")?.major, git("58.134.100")?.minor], [4, 4]);
  assert.deepEqual([git("58. 91.100")?.major, git("58. 91.100")?.minor], [4, 3]);
  const dated = parseFfmpegVersion(
    "ffmpeg version 2024-01-01-git-abc-full_build\nlibavcodec     60. 31.102 / 60. 31.102",
  );
  assert.equal(dated?.major, 6);
  assert.equal(parseFfmpegVersion("ffmpeg version N-1-gabc\nno codec line"), null);
});

Deno.test("probeFfmpeg() accepts this machine's FFmpeg and reads its version", async () => {
  const probe = await probeFfmpeg(requireBinary("ffmpeg"));
  assert.ok(probe.ok, JSON.stringify(probe));
  assert.match(probe.version, /^ffmpeg version \S+/);
  assert.ok(probe.major >= 5, `major ${probe.major}`);
});

Deno.test("probeFfmpeg() explains missing files, directories and hung binaries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "probe_ffmpeg_" });
  try {
    assert.deepEqual(await probeFfmpeg(`${dir}/absent`), {
      ok: false,
      reason: "no file exists at this path",
      missing: true,
    });
    assert.deepEqual(await probeFfmpeg(dir), {
      ok: false,
      reason: "this path is a directory, not a file",
      missing: false,
    });
    const hung = `${dir}/ffmpeg`;
    // exec: the killed process is sleep itself, so nothing is left running
    await Deno.writeTextFile(hung, "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
    const probe = await probeFfmpeg(hung, { timeoutMs: 200 });
    assert.equal(probe.ok, false);
    assert.match(
      probe.ok ? "" : probe.reason,
      /did not answer -version within 0\.2 s and was stopped/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
