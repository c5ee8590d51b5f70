import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { AppError, type FfmpegDownloadProgress, INTERNAL } from "@spiritstream/contracts";
import { createMemoryBus } from "@spiritstream/bus";
import { freePort, requireBinary, startHttpsFileServer, waitFor } from "@spiritstream/testing";
import { startEncoderHarness } from "../testdata/encoder_harness.ts";

/* download_ffmpeg against a real local HTTPS server (own test CA) serving a tar.xz made from
 * this machine's FFmpeg, a corrupt one, and no server at all. */

const systemFfmpeg = requireBinary("ffmpeg");

async function archiveOfThisFfmpeg(): Promise<Uint8Array> {
  const dir = await Deno.makeTempDir({ prefix: "ffmpeg-archive-" });
  try {
    await Deno.mkdir(`${dir}/ffmpeg-test-build/bin`, { recursive: true });
    await Deno.copyFile(systemFfmpeg, `${dir}/ffmpeg-test-build/bin/ffmpeg`);
    await Deno.chmod(`${dir}/ffmpeg-test-build/bin/ffmpeg`, 0o755);
    await Deno.writeTextFile(`${dir}/ffmpeg-test-build/README.txt`, "test build\n");
    const tar = await new Deno.Command("tar", {
      args: ["-cJf", `${dir}/build.tar.xz`, "-C", dir, "ffmpeg-test-build"],
    }).output();
    assert.ok(tar.success, new TextDecoder().decode(tar.stderr));
    return await Deno.readFile(`${dir}/build.tar.xz`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

function progress(events: { event: string; payload: unknown }[]): FfmpegDownloadProgress[] {
  return events.filter((e) => e.event === "ffmpeg_download_progress")
    .map((e) => e.payload as FfmpegDownloadProgress);
}

const good = await archiveOfThisFfmpeg();
const corrupt = good.slice();
corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
const notAnArchive = new TextEncoder().encode("this is not an xz archive");

async function harnessFor(url: string, hash: string, caPem?: string) {
  return await startEncoderHarness({
    config: { ffmpegDownload: { url, sha256: hash, version: "test-1" } },
    downloadCaCerts: caPem ? [caPem] : undefined,
  });
}

Deno.test("download_ffmpeg installs the pinned build over HTTPS, reports progress, and test_ffmpeg uses it", async () => {
  const server = await startHttpsFileServer({ "/builds/ffmpeg-test.tar.xz": good });
  const h = await harnessFor(
    `${server.base}/builds/ffmpeg-test.tar.xz`,
    sha256(good),
    server.caPem,
  );
  try {
    const before = await h.call("check_ffmpeg_update", {});
    assert.equal(before.latest_version, "test-1");
    assert.match(before.status, /does not manage; download_ffmpeg can install the pinned build/);

    const path = await h.call("download_ffmpeg", {});
    assert.equal(path, `${h.dataDir}/ffmpeg/ffmpeg`);
    assert.equal(((await Deno.stat(path)).mode ?? 0) & 0o111, 0o111, "executable");
    const phases = progress(h.events).map((p) => p.phase);
    assert.deepEqual(
      [...new Set(phases)],
      ["starting", "downloading", "verifying", "extracting", "complete"],
    );
    const downloaded = progress(h.events).findLast((p) => p.phase === "downloading")!;
    assert.equal(downloaded.downloaded, good.byteLength);
    assert.equal(downloaded.total, good.byteLength);
    assert.equal(downloaded.percent, 100);
    assert.match(progress(h.events).at(-1)!.message ?? "", /^ffmpeg version /);

    // test_ffmpeg and the engine resolve afresh: the managed copy comes before PATH.
    assert.match(await h.call("test_ffmpeg", {}), /^ffmpeg version /);
    const using = h.lines.map((l) => JSON.parse(l)).findLast((r) => r.msg === "Using FFmpeg");
    assert.deepEqual([using?.path, using?.source], [path, "managed"]);
    assert.equal(await h.call("get_bundled_ffmpeg_path", {}), path);
    assert.deepEqual(await entries(h.dataDir), ["ffmpeg"], "no staging dir is left");
    assert.deepEqual(await entries(`${h.dataDir}/ffmpeg`), ["ffmpeg", "version.json"]);

    const after = await h.call("check_ffmpeg_update", {});
    assert.deepEqual([after.update_available, after.latest_version], [false, "test-1"]);
    assert.match(after.status, /^Up to date/);

    // Already installed: answered at once, nothing fetched again.
    const fetched = server.requested.length;
    assert.equal(await h.call("download_ffmpeg", {}), path);
    assert.equal(server.requested.length, fetched);

    assert.equal(await h.call("delete_ffmpeg", {}), null);
    assert.deepEqual(await entries(`${h.dataDir}/ffmpeg`), []);
    assert.equal(await h.call("get_bundled_ffmpeg_path", {}), "/usr/bin/ffmpeg");
  } finally {
    await h.close();
    await server.stop();
  }
});

Deno.test("download_ffmpeg refuses a corrupt archive or one that does not unpack: nothing installed, nothing left", async () => {
  const server = await startHttpsFileServer({
    "/corrupt.tar.xz": corrupt,
    "/garbage.tar.xz": notAnArchive,
  });
  for (
    const [path, hash, rule] of [
      [
        "/corrupt.tar.xz",
        sha256(good),
        /^The downloaded FFmpeg archive was refused: its SHA-256 is [0-9a-f]{64}, not the pinned/,
      ],
      ["/garbage.tar.xz", sha256(notAnArchive), /^Cannot read the FFmpeg archive/],
    ] as const
  ) {
    const h = await harnessFor(`${server.base}${path}`, hash, server.caPem);
    try {
      await assert.rejects(h.call("download_ffmpeg", {}), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, "failed_precondition");
        assert.match(error.message, rule);
        return true;
      });
      assert.deepEqual(await entries(h.dataDir), [], `${path}: nothing installed, no partial dir`);
      const last = progress(h.events).at(-1)!;
      assert.equal(last.phase, "error");
      assert.match(last.message ?? "", rule);
      assert.equal(await h.call("get_bundled_ffmpeg_path", {}), "/usr/bin/ffmpeg");
    } finally {
      await h.close();
    }
  }
  await server.stop();
});

Deno.test("download_ffmpeg with no network answers a clear error and installs nothing", async () => {
  const h = await harnessFor(`https://127.0.0.1:${freePort()}/ffmpeg.tar.xz`, "a".repeat(64));
  try {
    await assert.rejects(h.call("download_ffmpeg", {}), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "unavailable");
      assert.match(
        error.message,
        /^Cannot download FFmpeg from 127\.0\.0\.1:\d+: .*Check the network, or install FFmpeg yourself: sudo apt-get install ffmpeg/,
      );
      return true;
    });
    assert.deepEqual(await entries(h.dataDir), []);
    assert.equal(progress(h.events).at(-1)?.phase, "error");
  } finally {
    await h.close();
  }
});

Deno.test("with no FFmpeg anywhere and autoDownloadFfmpeg on, the service installs the pinned build at start", async () => {
  const server = await startHttpsFileServer({ "/auto/ffmpeg.tar.xz": good });
  for (const autoDownloadFfmpeg of [false, true]) {
    const bus = createMemoryBus();
    const host = bus.serve(
      INTERNAL.hostSettings.subject,
      () => Promise.resolve({ ffmpegPath: "", autoDownloadFfmpeg }),
    );
    await host.ready;
    const h = await startEncoderHarness({
      bus,
      // Nothing on PATH, nowhere an installer puts it: this machine "lacks" FFmpeg.
      env: { PATH: "" },
      ffmpegWellKnownPaths: [],
      config: {
        ffmpegDownload: {
          url: `${server.base}/auto/ffmpeg.tar.xz`,
          sha256: sha256(good),
          version: "auto-1",
        },
      },
      downloadCaCerts: [server.caPem],
    });
    try {
      if (!autoDownloadFfmpeg) {
        await assert.rejects(h.call("test_ffmpeg", {}), /FFmpeg not found/);
        assert.deepEqual(server.requested, [], "the setting is off: nothing is downloaded");
        continue;
      }
      await waitFor(() => progress(h.events).some((p) => p.phase === "complete"), {
        what: "the automatic download",
        timeoutMs: 60_000,
      });
      assert.match(await h.call("test_ffmpeg", {}), /^ffmpeg version /);
      assert.equal(await h.call("get_bundled_ffmpeg_path", {}), `${h.dataDir}/ffmpeg/ffmpeg`);
    } finally {
      await h.close();
      await host.close();
      await bus.close();
    }
  }
  await server.stop();
});
