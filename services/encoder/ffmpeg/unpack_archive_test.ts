import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { requireBinary } from "@spiritstream/testing";
import { archiveKind, memberProblem, unpackArchive } from "./unpack_archive.ts";

const tar = requireBinary("tar");

async function tarXz(dir: string, out: string, args: string[]): Promise<void> {
  const result = await new Deno.Command(tar, { args: ["-cJf", out, ...args], cwd: dir }).output();
  assert.ok(result.success, new TextDecoder().decode(result.stderr));
}

function refused(rule: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, "failed_precondition");
    assert.match(error.message, rule);
    return true;
  };
}

Deno.test("archiveKind() and memberProblem() name what is allowed", () => {
  assert.equal(archiveKind("/x/ffmpeg-7.1-linux64-gpl.tar.xz"), "tar.xz");
  assert.equal(archiveKind("ffmpeg.TGZ"), "tar.gz");
  assert.equal(archiveKind("ffmpeg-win64.zip"), "zip");
  assert.equal(archiveKind("ffmpeg.7z"), null);
  assert.equal(memberProblem("ffmpeg/bin/ffmpeg"), null);
  assert.equal(memberProblem("/etc/passwd"), "is an absolute path");
  assert.equal(memberProblem("C:\\Windows\\x"), "is an absolute path");
  assert.equal(memberProblem("bin/../../escape"), 'climbs out with ".."');
});

Deno.test("unpackArchive() refuses members escaping the target and links, writing nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "unpack-" });
  try {
    await Deno.mkdir(`${dir}/src/inner`, { recursive: true });
    await Deno.mkdir(`${dir}/into`);
    await Deno.writeTextFile(`${dir}/src/escape`, "outside");
    await Deno.writeTextFile(`${dir}/src/inner/ffmpeg`, "#!/bin/sh\n");
    // A member named "../escape": GNU tar keeps it with -P.
    await tarXz(`${dir}/src/inner`, `${dir}/climb.tar.xz`, ["-P", "ffmpeg", "../escape"]);
    await assert.rejects(
      unpackArchive(`${dir}/climb.tar.xz`, `${dir}/into`, "tar.xz"),
      refused(/^The FFmpeg archive was refused: member "\.\.\/escape" climbs out with "\.\."/),
    );
    await Deno.symlink("/usr/bin/ffmpeg", `${dir}/src/inner/link`);
    await tarXz(`${dir}/src/inner`, `${dir}/link.tar.xz`, ["ffmpeg", "link"]);
    await assert.rejects(
      unpackArchive(`${dir}/link.tar.xz`, `${dir}/into`, "tar.xz"),
      refused(/holds a link or special file/),
    );
    await tarXz(`${dir}/src`, `${dir}/abs.tar.xz`, ["-P", `${dir}/src/escape`]);
    await assert.rejects(
      unpackArchive(`${dir}/abs.tar.xz`, `${dir}/into`, "tar.xz"),
      refused(/is an absolute path/),
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(`${dir}/into`)), [], "nothing was written");

    await tarXz(`${dir}/src`, `${dir}/ok.tar.xz`, ["inner/ffmpeg"]);
    await unpackArchive(`${dir}/ok.tar.xz`, `${dir}/into`, "tar.xz");
    assert.equal(await Deno.readTextFile(`${dir}/into/inner/ffmpeg`), "#!/bin/sh\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
