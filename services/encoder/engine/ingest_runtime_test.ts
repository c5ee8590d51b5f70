import assert from "node:assert/strict";
import { AppError, type IngestStatus } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { freePort, requireBinary, startPublisher, waitFor } from "@spiritstream/testing";
import { captureLogger } from "../media/testdata/capture_logger.ts";
import { openIngestRuntime } from "./ingest_runtime.ts";

function options(statuses: IngestStatus[], logger = captureLogger().logger) {
  const ffmpeg = requireBinary("ffmpeg");
  return {
    logger,
    redactor: createRedactor(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    marker: "ingest-runtime-test",
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
