import assert from "node:assert/strict";
import dgram from "node:dgram";
import { AppError, type IngestStatus, LOCAL_TENANT } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { createMediaHub } from "../hub/mod.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { type IngestSpec, parseIngest } from "../engine/parse_ingest.ts";
import { SrtIngest } from "./srt_ingest.ts";
import { SRTO } from "./libsrt.ts";
import { SrtSocket } from "./srt_socket.ts";
import { freePort, requireBinary, waitFor } from "@spiritstream/testing";
import { copyGroup, nginxTarget, startRig } from "../engine/testdata/rig.ts";
import { type SrtPeer, srtPublisher } from "./testdata/srt_peers.ts";

Deno.test("SrtIngest takes a new caller at once while the old one hangs silent (newest caller wins)", async () => {
  const rig = await startRig({ apps: 1 });
  // A 60 s peer-idle timeout: the silent first caller cannot be timed out during this test.
  const ingest = { url: `srt://127.0.0.1:${freePort()}?timeout=60000000`, srtLatencyMs: 120 };
  const publishUrl = `${ingest.url.split("?")[0]}?mode=caller&latency=120000`;
  const peers: SrtPeer[] = [];
  const liveFrom = () =>
    rig.seen<IngestStatus>("ingest_status").filter((s) => s.state === "live").map((s) =>
      s.remoteAddr
    );
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("srt", [nginxTarget(rig, "rtmp", 0, "from-srt")]),
      ingest,
    );
    peers.push(srtPublisher(publishUrl, rig.clip));
    await waitFor(() => liveFrom().length === 1, { what: "first caller live", timeoutMs: 20_000 });
    const first = liveFrom()[0];
    assert.match(first ?? "", /^127\.0\.0\.1:\d+$/);

    peers[0]!.pause(); // hangs without hanging up, like OBS on a frozen machine
    const pausedAt = Date.now();
    peers.push(srtPublisher(publishUrl, rig.clip));
    const second = await waitFor(() => liveFrom().find((remote) => remote !== first), {
      what: "second caller live while the first is still connected",
      timeoutMs: 20_000,
    });
    assert.match(second, /^127\.0\.0\.1:\d+$/);
    assert.equal(rig.engine.state(LOCAL_TENANT).ingest.publisher, second);
    const before = await rig.bytesIn(0, "from-srt");
    await waitFor(async () => (await rig.bytesIn(0, "from-srt")) > before + 100_000, {
      what: "the second caller's media at the destination",
      timeoutMs: 15_000,
    });
    const states = rig.seen<IngestStatus>("ingest_status", pausedAt).map((s) => s.state);
    assert.deepEqual(states, ["live"], "handed over without a waiting gap");
  } finally {
    for (const peer of peers) await peer.stop();
    await rig.stop();
  }
});

/** One FFmpeg caller (OBS's SRT output), started once: no retry loop behind it. */
function srtCallerOnce(url: string, clip: string): Deno.ChildProcess {
  return new Deno.Command(requireBinary("ffmpeg"), {
    args: [
      ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1"],
      ...["-i", clip, "-c", "copy", "-f", "mpegts", url],
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test("SrtIngest takes back a caller killed (kill -9) and started again once, before its dead connection times out", async () => {
  const rig = await startRig({ apps: 1 });
  const ingest = { url: `srt://127.0.0.1:${freePort()}`, srtLatencyMs: 120 };
  const publishUrl = `${ingest.url}?mode=caller&latency=120000`;
  const callers: Deno.ChildProcess[] = [];
  const state = () => rig.engine.state(LOCAL_TENANT).ingest;
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("srt", [nginxTarget(rig, "rtmp", 0, "from-srt")]),
      ingest,
    );
    callers.push(srtCallerOnce(publishUrl, rig.clip));
    const first = await waitFor(() => state().state === "live" && state().publisher, {
      what: "the first caller live",
      timeoutMs: 20_000,
    });
    await waitFor(async () => (await rig.bytesIn(0, "from-srt")) > 0, {
      what: "media at the destination",
      timeoutMs: 20_000,
    });

    // A crash: no SRT shutdown reaches us, the old connection looks open for libsrt's 5 s.
    callers[0]!.kill("SIGKILL");
    await callers[0]!.status;
    const killedAt = Date.now();
    const returning = srtCallerOnce(publishUrl, rig.clip);
    callers.push(returning);
    const second = await waitFor(
      () => (state().state === "live" && state().publisher !== first ? state().publisher : null),
      { what: "the returning caller live", timeoutMs: 20_000, intervalMs: 10 },
    );
    assert.match(second, /^127\.0\.0\.1:\d+$/);
    const exited = await Promise.race([
      returning.status.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 100)),
    ]);
    assert.equal(exited, false, "the returning caller was taken, not refused");
    const before = await rig.bytesIn(0, "from-srt");
    await waitFor(async () => (await rig.bytesIn(0, "from-srt")) > before + 100_000, {
      what: "the returning caller's media at the destination",
      timeoutMs: 15_000,
    });
    // Taken over while the dead connection was still open: no "waiting" (its timeout) between.
    const states = rig.seen<IngestStatus>("ingest_status", killedAt).map((s) => s.state);
    assert.deepEqual(states, ["live"], "handed over without waiting for the timeout");
  } finally {
    for (const caller of callers) {
      try {
        caller.kill("SIGKILL");
      } catch {
        // exited
      }
      await caller.status;
    }
    await rig.stop();
  }
});

Deno.test("SrtIngest refuses a second caller while the first is sending", async () => {
  const rig = await startRig({ apps: 1 });
  const ingest = { url: `srt://127.0.0.1:${freePort()}`, srtLatencyMs: 120 };
  const publishUrl = `${ingest.url}?mode=caller&latency=120000`;
  const peers: SrtPeer[] = [];
  try {
    await rig.engine.openIngest(LOCAL_TENANT, ingest);
    peers.push(srtPublisher(publishUrl, rig.clip));
    const first = await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest.publisher, {
      what: "first caller live",
      timeoutMs: 20_000,
    });
    peers.push(srtPublisher(publishUrl, rig.clip));
    await waitFor(() => rig.lines.some((line) => line.includes("another caller is live")), {
      what: "the second caller refused",
      timeoutMs: 20_000,
    });
    assert.equal(rig.engine.state(LOCAL_TENANT).ingest.publisher, first);
    const live = rig.seen<IngestStatus>("ingest_status").filter((s) => s.state === "live");
    assert.deepEqual(live.map((s) => s.remoteAddr), [first]);
  } finally {
    for (const peer of peers) await peer.stop();
    await rig.stop();
  }
});

Deno.test("SrtIngest.open() names a bad option, a refused passphrase and a taken port, never a secret", async () => {
  const { logger } = captureLogger();
  const options = {
    ffmpegPath: "ffmpeg",
    logger,
    redactor: createRedactor(),
    marker: "srt-ingest-open-test",
    hub: createMediaHub({ logger }),
    report() {},
  };
  const port = freePort();
  const open = (spec: IngestSpec) => SrtIngest.open(parseIngest(spec), spec, options);
  const url = `srt://127.0.0.1:${port}`;
  await assert.rejects(
    open({ url: `${url}?latencyy=120000` }),
    /^AppError: Invalid argument "incomingUrl": SRT option "latencyy" is not supported/,
  );
  await assert.rejects(open({ url, srtPassphrase: "short-pp" }), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.match(error.message, /^Invalid argument "srtPassphrase": SRT option "srtPassphrase"/);
    assert.doesNotMatch(error.message, /short-pp/);
    return true;
  });
  const first = await open({ url, srtPassphrase: "ingest-open-passphrase" });
  try {
    await assert.rejects(
      open({ url, srtPassphrase: "ingest-open-passphrase" }),
      (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.code, "unavailable");
        assert.equal(error.message, `SRT port 127.0.0.1:${port} is already in use`);
        return true;
      },
    );
  } finally {
    await first.close();
  }
  // A UDP port another program holds.
  const other = dgram.createSocket("udp4");
  const taken = freePort();
  await new Promise<void>((resolve) => other.bind(taken, "127.0.0.1", resolve));
  try {
    await assert.rejects(
      open({ url: `srt://127.0.0.1:${taken}` }),
      new RegExp(`SRT port 127\\.0\\.0\\.1:${taken} is already in use`),
    );
  } finally {
    other.close();
  }
});

Deno.test("SrtIngest shrugs off callers that hang up at once, then takes a real one", async () => {
  const rig = await startRig({ apps: 1 });
  const port = freePort();
  const ingest = { url: `srt://127.0.0.1:${port}`, srtLatencyMs: 120 };
  let publisher: SrtPeer | null = null;
  try {
    await rig.engine.openIngest(LOCAL_TENANT, ingest);
    for (let i = 0; i < 50; i++) {
      const caller = SrtSocket.create();
      // Refused while the previous one is still counted as live: that is fine too.
      await caller.connect({ hostname: "127.0.0.1", port }, "ingest").catch(() => {});
      await caller.close();
    }
    publisher = srtPublisher(`${ingest.url}?mode=caller&latency=120000`, rig.clip);
    await waitFor(() => rig.engine.state(LOCAL_TENANT).ingest.state === "live", {
      what: "a real caller live",
      timeoutMs: 20_000,
    });
  } finally {
    await publisher?.stop();
    await rig.stop();
  }
});

Deno.test("SrtIngest turns away callers without the right passphrase", async () => {
  const { logger } = captureLogger();
  const spec = { url: `srt://127.0.0.1:${freePort()}`, srtPassphrase: "the-ingest-passphrase" };
  const address = parseIngest(spec);
  const ingest = await SrtIngest.open(address, spec, {
    ffmpegPath: "ffmpeg",
    logger,
    redactor: createRedactor(),
    marker: "srt-ingest-passphrase-test",
    hub: createMediaHub({ logger }),
    report() {},
  });
  try {
    for (const passphrase of ["a-wrong-passphrase", ""]) {
      const caller = SrtSocket.create();
      if (passphrase) {
        caller.set({ name: "passphrase", option: SRTO.PASSPHRASE, value: passphrase });
      }
      try {
        await assert.rejects(
          caller.connect({ hostname: "127.0.0.1", port: address.port }, "ingest"),
          passphrase ? /wrong passphrase/ : /encryption mismatch/,
        );
      } finally {
        await caller.close();
      }
    }
  } finally {
    await ingest.close();
  }
});
