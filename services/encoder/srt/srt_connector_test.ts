import assert from "node:assert/strict";
import { type TargetStatus } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { freePort, probe, waitFor } from "@spiritstream/testing";
import { createMediaHub } from "../hub/mod.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { SrtSocket } from "./srt_socket.ts";
import { srtConnector } from "./srt_connector.ts";
import { copyGroup, leaks, startRig } from "../engine/testdata/rig.ts";
import { srtListener } from "./testdata/srt_peers.ts";

const PASSPHRASE = "target-passphrase-0001";
const STREAM_ID = "publish/target-stream-id-0001";

function srtTarget(id: string, port: number, passphrase: string) {
  return {
    id,
    service: "Custom",
    name: id,
    url: `srt://127.0.0.1:${port}?passphrase=${passphrase}&latency=200000&pbkeylen=16`,
    streamKey: STREAM_ID,
  };
}

Deno.test("srtConnector() delivers media over libsrt to a real SRT listener and names a wrong passphrase", async () => {
  const rig = await startRig({ apps: 1 });
  const dir = await Deno.makeTempDir({ prefix: "srt-target-" });
  const good = freePort();
  const bad = freePort();
  const listener = `mode=listener&passphrase=${PASSPHRASE}&pbkeylen=16`;
  const platform = srtListener(`srt://127.0.0.1:${good}?${listener}`, [
    ...["-f", "mpegts", `${dir}/received.ts`],
  ]);
  const other = srtListener(`srt://127.0.0.1:${bad}?${listener}`, ["-f", "null", "-"]);
  const wrong = "not-the-passphrase-0001";
  try {
    await rig.publish();
    await rig.engine.startGroup(
      "local",
      copyGroup("srt", [srtTarget("good", good, PASSPHRASE), srtTarget("bad", bad, wrong)]),
      rig.ingest,
    );
    await waitFor(
      async () => ((await Deno.stat(`${dir}/received.ts`).catch(() => null))?.size ?? 0) > 300_000,
      {
        what: "MPEG-TS received by the SRT listener",
        timeoutMs: 30_000,
      },
    );
    const failed = await waitFor(
      () =>
        rig.seen<TargetStatus>("target_status").find((s) =>
          s.targetId === "bad" && s.state === "failed"
        ),
      { what: "the wrong-passphrase target failed", timeoutMs: 15_000 },
    );
    assert.match(
      failed.cause ?? "",
      /SRT destination 127\.0\.0\.1:\d+ rejected the passphrase \(wrong passphrase\)/,
    );
    assert.match(
      failed.error ?? "",
      /^"bad" refused the SRT passphrase\. Check that the passphrase/,
    );
    const live = rig.seen<TargetStatus>("target_status").filter((s) => s.state === "live");
    assert.deepEqual(live.map((s) => s.targetId), ["good"]);
  } finally {
    await rig.stop();
    await platform.stop();
    await other.stop();
  }
  try {
    const result = await probe(`${dir}/received.ts`);
    assert.equal(result.video?.codec, "h264");
    assert.equal(result.video?.width, 640);
    assert.equal(result.audio?.codec, "aac");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(
    leaks(rig, [PASSPHRASE, wrong, STREAM_ID]),
    undefined,
    "no SRT secret in logs or events",
  );
});

Deno.test("srtConnector() notices a destination that died while no media flowed, and reconnects", async () => {
  const rig = await startRig({ apps: 1 });
  const port = freePort();
  const listen = `srt://127.0.0.1:${port}?mode=listener`;
  let platform = srtListener(listen, ["-f", "null", "-"]);
  const target = {
    id: "srt",
    service: "Custom",
    name: "srt",
    // A 2 s peer-idle timeout instead of libsrt's 5 s keeps the test short.
    url: `srt://127.0.0.1:${port}?timeout=2000000`,
    streamKey: STREAM_ID,
  };
  try {
    await rig.publish();
    await rig.engine.startGroup("local", copyGroup("srt", [target]), rig.ingest);
    const states = () => rig.seen<TargetStatus>("target_status").map((s) => s.state);
    await waitFor(() => states().includes("live"), { what: "SRT target live", timeoutMs: 20_000 });
    // OBS stops (nothing to send), then the platform hangs without hanging up.
    await rig.publisher?.stop();
    await waitFor(() => rig.engine.state("local").ingest.state === "waiting", {
      what: "ingest waiting",
    });
    platform.pause();
    await waitFor(() => states().includes("reconnecting"), {
      what: "the silent destination noticed with nothing to send",
      timeoutMs: 20_000,
    });
    await platform.stop();
    platform = srtListener(listen, ["-f", "null", "-"]);
    await waitFor(() => states().filter((s) => s === "live").length === 2, {
      what: "SRT target live again",
      timeoutMs: 30_000,
    });
    const dropped = rig.seen<TargetStatus>("target_status").find((s) => s.state === "reconnecting");
    assert.match(dropped?.cause ?? "", /^SRT output ended: /);
    assert.match(dropped?.error ?? "", / closed the connection\. SpiritStream reconnects/);
  } finally {
    await rig.stop();
    await platform.stop();
  }
});

Deno.test("srtConnector() hangs up when FFmpeg cannot start", async () => {
  const { logger } = captureLogger();
  const port = freePort();
  const server = SrtSocket.create();
  server.bind({ hostname: "127.0.0.1", port });
  server.listen("test");
  const accepted = server.accept();
  const connect = srtConnector(`srt://127.0.0.1:${port}`, createMediaHub({ logger }), {
    ffmpegPath: () => Promise.resolve("/nonexistent/ffmpeg"),
    logger,
    redactor: createRedactor(),
    marker: "srt-connector-no-ffmpeg",
  });
  try {
    await assert.rejects(connect(new AbortController().signal), Deno.errors.NotFound);
    const peer = (await accepted)!;
    await waitFor(() => !peer.nonBlockingReceive() || peer.tryReceive(new Uint8Array(1500)) === 0, {
      what: "our caller to hang up",
    });
    await peer.close();
  } finally {
    await server.close();
  }
});
