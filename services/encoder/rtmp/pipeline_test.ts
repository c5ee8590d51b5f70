import assert from "node:assert/strict";
import {
  ensureTestClip,
  type NginxRtmp,
  type NginxStream,
  probe,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
  waitFor,
} from "@spiritstream/testing";
import { createMediaHub, type MediaHub } from "../hub/hub.ts";
import { connectPublisher, type RtmpPublisher } from "./rtmp_publisher.ts";
import { type RtmpServer, startRtmpServer } from "./rtmp_server.ts";
import { captureLogger } from "../testdata/capture_logger.ts";

// Full path: ffmpeg (OBS stand-in) → our RTMP ingest → hub → our RTMP pushes → nginx-rtmp "platforms".

interface Rig {
  nginx: NginxRtmp;
  hub: MediaHub;
  server: RtmpServer;
  ingestUrl: string;
  lines: string[];
  logger: ReturnType<typeof captureLogger>["logger"];
  cleanup: (() => Promise<unknown>)[];
}

async function startRig(apps: number): Promise<Rig> {
  await ensureTestClip();
  const { logger, lines } = captureLogger();
  const nginx = await startNginxRtmp({ apps });
  const hub = createMediaHub({ logger });
  const server = startRtmpServer({
    hostname: "127.0.0.1",
    port: 0,
    app: "live",
    streamKey: "ingest-key-0001",
    logger,
    onPublish: (session) => hub.attachSource(session),
    onUnpublish() {},
  });
  const ingestUrl = `rtmp://127.0.0.1:${server.port}/live/ingest-key-0001`;
  return { nginx, hub, server, ingestUrl, lines, logger, cleanup: [] };
}

async function stopRig(rig: Rig): Promise<void> {
  for (const step of rig.cleanup.reverse()) await step().catch(() => {});
  await rig.server.close();
  await rig.nginx.stop();
}

async function streamAt(
  nginx: NginxRtmp,
  i: number,
  name: string,
): Promise<NginxStream | undefined> {
  const stats = await nginx.stat();
  return stats[i]?.streams.find((s) => s.name === name);
}

async function publishTo(rig: Rig, i: number, name: string): Promise<RtmpPublisher> {
  const sink = await connectPublisher(rig.nginx.url(i, name), { logger: rig.logger });
  rig.hub.addSink(sink);
  rig.cleanup.push(() => sink.close());
  return sink;
}

async function obs(rig: Rig): Promise<TestPublisher> {
  const publisher = await startPublisher(rig.ingestUrl);
  rig.cleanup.push(() => publisher.stop());
  return publisher;
}

Deno.test("ingest → hub → RTMP pushes reach two nginx destinations; one stopping leaves the other", async () => {
  const rig = await startRig(2);
  try {
    await obs(rig);
    await waitFor(() => rig.hub.stats().fps > 0, { what: "ingest media" });
    const a = await publishTo(rig, 0, "platform-a-key");
    const b = await publishTo(rig, 1, "platform-b-key");

    const [probeA, probeB] = await Promise.all([
      probe(rig.nginx.url(0, "platform-a-key"), { timeoutMs: 15_000 }),
      probe(rig.nginx.url(1, "platform-b-key"), { timeoutMs: 15_000 }),
    ]);
    for (const result of [probeA, probeB]) {
      assert.equal(result.video?.codec, "h264");
      assert.equal(result.video?.width, 640);
      assert.equal(result.video?.height, 360);
      assert.equal(result.audio?.codec, "aac");
      assert.equal(result.audio?.sampleRate, 48000);
    }
    const metaA = await streamAt(rig.nginx, 0, "platform-a-key");
    assert.equal(metaA?.video?.codec, "H264");
    assert.equal(metaA?.video?.width, 640);

    // Platform B goes away: its push reports it; A keeps receiving.
    await rig.nginx.stopServer(1);
    const ended = await b.closed;
    assert.equal(ended.reason, "error");
    rig.hub.removeSink(b);
    const before = (await streamAt(rig.nginx, 0, "platform-a-key"))!.bytesIn;
    await waitFor(
      async () =>
        ((await streamAt(rig.nginx, 0, "platform-a-key"))?.bytesIn ?? 0) > before + 50_000,
      {
        what: "destination A still receiving",
      },
    );
    assert.equal(a.isClosed, false);

    // B comes back (same port): a new push gets media again.
    await rig.nginx.startServer(1);
    await publishTo(rig, 1, "platform-b-key");
    await waitFor(
      async () => ((await streamAt(rig.nginx, 1, "platform-b-key"))?.bytesIn ?? 0) > 50_000,
      {
        what: "destination B receiving again",
      },
    );
    const stats = rig.hub.stats();
    assert.ok(stats.kbps > 100, `ingest kbps ${stats.kbps}`);
    assert.ok(Math.abs(stats.fps - 30) < 3, `fps ${stats.fps}`);
  } finally {
    await stopRig(rig);
  }
  assert.ok(!rig.lines.some((l) => /ingest-key-0001|platform-[ab]-key/.test(l)), "no keys in logs");
});

Deno.test("a publisher reconnect keeps the push to nginx connected and the stream continuing", async () => {
  const rig = await startRig(1);
  try {
    const first = await obs(rig);
    await waitFor(() => rig.hub.stats().fps > 0, { what: "ingest media" });
    const sink = await publishTo(rig, 0, "continuing");
    const start = await waitFor(
      async () => {
        const s = await streamAt(rig.nginx, 0, "continuing");
        return s && s.bytesIn > 100_000 ? s : null;
      },
      { what: "destination receiving" },
    );
    const acceptedBefore = (await rig.nginx.stat())[0]!.accepted;

    // OBS crashes (no unpublish), then comes back.
    first.kill();
    await first.exited;
    await waitFor(() => !rig.hub.live, { what: "source detached" });
    await obs(rig);
    await waitFor(() => rig.hub.live && rig.hub.stats().fps > 0, { what: "new source media" });

    const later = await waitFor(
      async () => {
        const s = await streamAt(rig.nginx, 0, "continuing");
        return s && s.bytesIn > start.bytesIn + 150_000 ? s : null;
      },
      { what: "media after the reconnect" },
    );
    assert.equal(sink.isClosed, false, "the push stayed connected");
    assert.ok(later.publishing && later.time > start.time, "nginx sees the same stream continuing");
    assert.equal(
      (await rig.nginx.stat())[0]!.accepted,
      acceptedBefore,
      "no new connection at nginx",
    );
    const result = await probe(rig.nginx.url(0, "continuing"), { timeoutMs: 15_000 });
    assert.equal(result.video?.codec, "h264");
    assert.equal(result.video?.width, 640);
    assert.equal(result.audio?.codec, "aac");
    assert.equal(rig.hub.stats().sources, 2);
  } finally {
    await stopRig(rig);
  }
});
