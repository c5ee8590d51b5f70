import assert from "node:assert/strict";
import { AppError, type FfmpegDownloadProgress } from "@spiritstream/contracts";
import { freePort, startHttpsFileServer, waitFor } from "@spiritstream/testing";
import { captureLogger } from "../testdata/capture_logger.ts";
import { FfmpegDownloader } from "./ffmpeg_download.ts";

Deno.test("FfmpegDownloader.cancel() stops a download mid-body: cancelled, nothing installed, nothing left", async () => {
  // A real HTTP server that sends a first chunk and then holds the body open.
  const port = freePort();
  let release = () => {};
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(64 * 1024));
        release = () => {
          try {
            controller.close();
          } catch {
            // the client went away: the stream was cancelled
          }
        };
      },
    });
    return new Response(body, { headers: { "content-length": String(1024 * 1024) } });
  });
  const data = await Deno.makeTempDir({ prefix: "ffmpeg-cancel-" });
  const seen: FfmpegDownloadProgress[] = [];
  const downloader = new FfmpegDownloader({
    // Plain http is refused by the config schema; the downloader itself only fetches.
    config: { url: `http://127.0.0.1:${port}/ffmpeg.tar.xz`, sha256: "a".repeat(64), version: "x" },
    managedDir: `${data}/ffmpeg`,
    logger: captureLogger().logger,
    onProgress: (p) => seen.push(p),
  });
  try {
    assert.equal(downloader.cancel(), false, "nothing to cancel yet");
    const running = downloader.download();
    await waitFor(() => seen.some((p) => p.phase === "downloading"), { what: "first chunk" });
    await assert.rejects(downloader.download(), /already running/);
    assert.equal(downloader.cancel(), true);
    await assert.rejects(running, (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.message, "The FFmpeg download was cancelled");
      return true;
    });
    assert.equal(seen.at(-1)?.phase, "cancelled");
    assert.deepEqual(await Array.fromAsync(Deno.readDir(data)), [], "no partial dir left");
  } finally {
    release();
    await server.shutdown();
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("FfmpegDownloader refuses a server that answers 404, naming the status", async () => {
  const server = await startHttpsFileServer({});
  const data = await Deno.makeTempDir({ prefix: "ffmpeg-404-" });
  const downloader = new FfmpegDownloader({
    config: { url: `${server.base}/missing.tar.xz`, sha256: "a".repeat(64), version: "x" },
    managedDir: `${data}/ffmpeg`,
    logger: captureLogger().logger,
    caCerts: [server.caPem],
    onProgress() {},
  });
  try {
    await assert.rejects(
      downloader.download(),
      /^AppError: Cannot download FFmpeg from 127\.0\.0\.1:\d+: the server answered 404$/,
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(data)), []);
  } finally {
    await server.stop();
    await Deno.remove(data, { recursive: true });
  }
});
