import assert from "node:assert/strict";
import { AppError, type IngestStatus } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import {
  ensureTestClip,
  freePort,
  requireBinary,
  startPublisher,
  stopProcess,
  waitFor,
} from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { openIngestRuntime } from "./ingest_runtime.ts";

function options(statuses: IngestStatus[], logger = captureLogger().logger) {
  const ffmpeg = requireBinary("ffmpeg");
  return {
    logger,
    redactor: createRedactor(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    marker: "ingest-runtime-test",
    listeners: mediaAdapters().ingest,
    onStatus: (status: IngestStatus) => void statuses.push(status),
  };
}

Deno.test("openIngestRuntime() on 0.0.0.0 listens on every address and checks the key", async () => {
  const statuses: IngestStatus[] = [];
  const port = freePort();
  const ingest = await openIngestRuntime(
    { url: `rtmp://0.0.0.0:${port}/live`, streamKey: "obs-key-123456" },
    options(statuses),
  );
  try {
    assert.deepEqual(ingest.snapshot(), {
      state: "waiting",
      url: `rtmp://0.0.0.0:${port}/live`,
      publisher: null,
      since: null,
      media: null,
      bitrate: 0,
    });
    // A wrong key is refused: FFmpeg gives up and nothing goes live.
    const wrong = await startPublisher(`rtmp://127.0.0.1:${port}/live/wrong-key-1`, {
      loop: false,
    });
    await wrong.exited;
    assert.equal(ingest.snapshot().state, "waiting");
    // 127.0.0.2 only reaches a wildcard listener (a 127.0.0.1 bind would refuse it).
    const obs = await startPublisher(`rtmp://127.0.0.2:${port}/live/obs-key-123456`);
    try {
      await waitFor(() => ingest.hub.stats().fps > 0, { what: "media from 127.0.0.2" });
      const snapshot = ingest.snapshot();
      assert.equal(snapshot.state, "live");
      assert.match(snapshot.publisher ?? "", /^127\.0\.0\.\d+:\d+$/);
      assert.equal(statuses.at(-1)?.state, "live");
    } finally {
      await obs.stop();
    }
    await waitFor(() => ingest.snapshot().state === "waiting", { what: "publisher gone" });
    assert.deepEqual(statuses.map((s) => s.state), ["waiting", "live", "waiting"]);
  } finally {
    await ingest.close();
  }
});

Deno.test("openIngestRuntime() reports a port in use without a stack of socket errors", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  try {
    await assert.rejects(
      openIngestRuntime({ url: `rtmp://127.0.0.1:${port}/live` }, options([])),
      (e) => e instanceof AppError && e.code === "unavailable" && /already in use/.test(e.message),
    );
  } finally {
    listener.close();
  }
});

Deno.test("openIngestRuntime() beyond loopback without a key stays closed and logs why", async () => {
  const port = freePort();
  const { logger, lines } = captureLogger();
  const statuses: IngestStatus[] = [];
  for (const url of [`rtmp://0.0.0.0:${port}/live`, `rtmp://[::]:${port}/live`]) {
    await assert.rejects(
      openIngestRuntime({ url, streamKey: null }, options(statuses, logger)),
      (e) => {
        assert.ok(e instanceof AppError && e.code === "invalid_argument");
        assert.match(
          e.message,
          /^Ingest rtmp:\/\/\S+ not opened\. Invalid argument "input\.streamKey"/,
        );
        assert.match(e.message, /an ingest key is required/);
        return true;
      },
    );
  }
  // Nothing listens: a publisher cannot even connect.
  await assert.rejects(
    Deno.connect({ hostname: "127.0.0.1", port }),
    Deno.errors.ConnectionRefused,
  );
  assert.deepEqual(statuses, [], "no waiting ingest was announced");
  const warning = lines.map((line) => JSON.parse(line)).find((r) => r.field === "input.streamKey");
  assert.match(warning?.msg ?? "", /not opened.*an ingest key is required/);

  await assert.rejects(
    openIngestRuntime({ url: `srt://0.0.0.0:${port}`, srtPassphrase: null }, options(statuses)),
    /Invalid argument "input\.srtPassphrase": an SRT passphrase is required/,
  );
  // On loopback the same ingest opens without a key (OBS on this computer).
  const local = await openIngestRuntime({ url: `rtmp://127.0.0.1:${port}/live` }, options([]));
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
  } finally {
    await local.close();
  }
});

/** One FFmpeg SRT caller (mpegts, real time) with this passphrase; returns the running child. */
async function srtCaller(
  port: number,
  passphrase: string | null,
  clip?: string,
): Promise<Deno.ChildProcess> {
  const query = `mode=caller&latency=120000${passphrase ? `&passphrase=${passphrase}` : ""}`;
  return new Deno.Command(requireBinary("ffmpeg"), {
    args: [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1"],
      ...["-i", clip ?? await ensureTestClip(), "-c", "copy", "-f", "mpegts"],
      `srt://127.0.0.1:${port}?${query}`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test("openIngestRuntime() SRT on 0.0.0.0 with a passphrase refuses callers without it", async () => {
  const port = freePort();
  const passphrase = "srt-ingest-pass-1234";
  const ingest = await openIngestRuntime(
    { url: `srt://0.0.0.0:${port}`, srtPassphrase: passphrase, srtLatencyMs: 120 },
    options([]),
  );
  try {
    for (const other of [null, "another-passphrase-99"]) {
      const wrong = await srtCaller(port, other);
      // libsrt refuses the handshake: the caller gives up and nothing goes live.
      const status = await Promise.race([
        wrong.status,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 20_000)),
      ]);
      if (status === null) await stopProcess(wrong);
      assert.notEqual(status?.code ?? 0, 0, `a caller with passphrase ${other} must be refused`);
      assert.equal(ingest.snapshot().state, "waiting");
      assert.equal(ingest.hub.live, false);
    }
    const right = await srtCaller(port, passphrase);
    try {
      await waitFor(() => ingest.hub.stats().fps > 0, {
        what: "media from the caller with the passphrase",
        timeoutMs: 30_000,
      });
    } finally {
      await stopProcess(right);
    }
  } finally {
    await ingest.close();
  }
});

const HD = { width: 1280, height: 720, fps: 30, seconds: 6 };

Deno.test("openIngestRuntime() reports what OBS sends, and zero rates the moment it leaves or crashes", async () => {
  const port = freePort();
  const ingest = await openIngestRuntime({ url: `rtmp://127.0.0.1:${port}/live` }, options([]));
  try {
    for (const leave of ["stop", "kill"] as const) {
      const obs = await startPublisher(`rtmp://127.0.0.1:${port}/live/obs`, {
        clip: await ensureTestClip(HD),
      });
      try {
        await waitFor(() => (ingest.media()?.video?.keyframeIntervalSecs ?? null) !== null, {
          what: "two keyframes",
          timeoutMs: 20_000,
        });
        const { video, audio } = ingest.media()!;
        assert.equal(
          `${video?.codec} ${video?.profile} ${video?.width}x${video?.height}`,
          "H.264 High 1280x720",
        );
        assert.equal(video?.keyframeIntervalSecs, 2);
        assert.ok(Math.abs(video!.fps - 30) <= 1, `fps ${video?.fps}`);
        assert.equal(audio?.codec, "AAC");
        assert.ok(ingest.reading().kbps > 0);
        assert.equal(ingest.snapshot().media?.video?.width, 1280);
      } finally {
        if (leave === "stop") await obs.stop();
        else {
          obs.kill();
          await obs.exited;
        }
      }
      await waitFor(() => ingest.snapshot().state === "waiting", { what: `publisher ${leave}` });
      // Not after the two-second meter window: as soon as the ingest knows it is gone.
      assert.equal(ingest.reading().kbps, 0, `kbps after ${leave}`);
      assert.equal(ingest.reading().fps, 0, `fps after ${leave}`);
      assert.equal(ingest.media(), null, `media after ${leave}`);
      assert.equal(ingest.snapshot().bitrate, 0);
    }
  } finally {
    await ingest.close();
  }
});

Deno.test("openIngestRuntime() SRT: the same parse after FFmpeg's remux of MPEG-TS", async () => {
  const port = freePort();
  const ingest = await openIngestRuntime(
    { url: `srt://127.0.0.1:${port}`, srtLatencyMs: 120 },
    options([]),
  );
  try {
    const caller = await srtCaller(port, null, await ensureTestClip(HD));
    try {
      await waitFor(() => (ingest.media()?.video?.keyframeIntervalSecs ?? null) !== null, {
        what: "two keyframes over SRT",
        timeoutMs: 30_000,
      });
      const video = ingest.media()!.video!;
      assert.equal(`${video.codec} ${video.width}x${video.height}`, "H.264 1280x720");
      assert.equal(video.keyframeIntervalSecs, 2);
      assert.equal(ingest.media()!.audio?.sampleRate, 48000);
    } finally {
      await stopProcess(caller);
    }
  } finally {
    await ingest.close();
  }
});

Deno.test("openIngestRuntime() close() with OBS publishing ends on idle, never on waiting", async () => {
  const statuses: IngestStatus[] = [];
  const port = freePort();
  const ingest = await openIngestRuntime(
    { url: `rtmp://127.0.0.1:${port}/live` },
    options(statuses),
  );
  const obs = await startPublisher(`rtmp://127.0.0.1:${port}/live/any`);
  try {
    await waitFor(() => statuses.at(-1)?.state === "live", { what: "the publisher is live" });
    await ingest.close();
    // The publisher's socket closes after the listener: its unpublish must not say "waiting".
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(statuses.map((s) => s.state), ["waiting", "live", "idle"]);
    assert.equal(ingest.snapshot().state, "idle");
    assert.deepEqual(statuses.at(-1), {
      state: "idle",
      url: `rtmp://127.0.0.1:${port}/live`,
      remoteAddr: null,
      since: null,
    });
  } finally {
    await obs.stop();
    await ingest.close();
  }
});

Deno.test("openIngestRuntime() can move from 127.0.0.1 to 0.0.0.0 on the same port once closed", async () => {
  const port = freePort();
  const local = await openIngestRuntime({ url: `rtmp://127.0.0.1:${port}/live` }, options([]));
  await local.close();
  // An active profile whose ingest is re-saved to listen beyond loopback, as the editor does.
  const wide = await openIngestRuntime(
    { url: `rtmp://0.0.0.0:${port}/live`, streamKey: "wide-ingest-key-1" },
    options([]),
  );
  await wide.close();
});
