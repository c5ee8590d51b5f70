import assert from "node:assert/strict";
import { ensureTestClip, startPublisher, waitFor } from "@spiritstream/testing";
import { type FlvTag, isKeyframe, isSequenceHeader } from "../flv/flv.ts";
import type { PublishSession } from "./publish_session.ts";
import { connectPublisher } from "./rtmp_publisher.ts";
import { startRtmpServer } from "./rtmp_server.ts";
import { captureLogger } from "../testdata/capture_logger.ts";

const KEY = "sk_live_0123456789secret";

function startIngest(streamKey: string | null = KEY) {
  const { logger, lines } = captureLogger();
  const published: PublishSession[] = [];
  const unpublished: PublishSession[] = [];
  const tags = new Map<PublishSession, FlvTag[]>();
  const server = startRtmpServer({
    hostname: "127.0.0.1",
    port: 0,
    app: "live",
    streamKey,
    logger,
    handshakeTimeoutMs: 2000,
    onPublish(session) {
      published.push(session);
      const list: FlvTag[] = [];
      tags.set(session, list);
      session.onTag((tag) => list.push(tag));
    },
    onUnpublish(session) {
      unpublished.push(session);
    },
  });
  const url = (key: string, app = "live") => `rtmp://127.0.0.1:${server.port}/${app}/${key}`;
  return { server, lines, published, unpublished, tags, url };
}

function videoFrames(list: FlvTag[] | undefined): number {
  return (list ?? []).filter((t) => t.type === "video" && !isSequenceHeader(t)).length;
}

Deno.test("startRtmpServer() receives tags and metadata from ffmpeg, and TCP probes do not disturb it", async () => {
  await ensureTestClip();
  const ingest = startIngest();
  const publisher = await startPublisher(ingest.url(KEY));
  try {
    const session = await waitFor(() => ingest.published[0], { what: "publish" });
    const tags = ingest.tags.get(session)!;
    await waitFor(() => videoFrames(tags) >= 20 && session.metadata, { what: "media" });
    assert.equal(session.metadata?.width, 640);
    assert.equal(session.metadata?.height, 360);
    assert.equal(session.remoteAddr.hostname, "127.0.0.1");
    const firstVideo = tags.find((t) => t.type === "video")!;
    assert.ok(isSequenceHeader(firstVideo), "the first video tag is the AVC sequence header");
    assert.ok(
      tags.some((t) => t.type === "audio" && isSequenceHeader(t)),
      "AAC sequence header seen",
    );
    assert.ok(tags.some((t) => isKeyframe(t) && !isSequenceHeader(t)), "a keyframe arrived");
    assert.ok(tags.some((t) => t.type === "data"), "onMetaData arrived as a data tag");

    // Probes: connect+close, garbage, and a half handshake left idle.
    const probe = await Deno.connect({ hostname: "127.0.0.1", port: ingest.server.port });
    probe.close();
    const garbage = await Deno.connect({ hostname: "127.0.0.1", port: ingest.server.port });
    await garbage.write(new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n".repeat(200)));
    const idle = await Deno.connect({ hostname: "127.0.0.1", port: ingest.server.port });
    await idle.write(Uint8Array.of(3, 0, 0, 0));
    const before = videoFrames(tags);
    await waitFor(() => videoFrames(tags) >= before + 30, { what: "media after probes" });
    garbage.close();
    idle.close();
    assert.equal(ingest.published.length, 1);
    assert.equal(ingest.unpublished.length, 0);
    assert.ok(session.isLive);
    assert.equal(ingest.server.live, session);
  } finally {
    await publisher.stop();
    await ingest.server.close();
  }
  assert.equal(ingest.unpublished.length, 1, "onUnpublish ran once after the publisher stopped");
  assert.ok(
    !ingest.lines.some((line) => line.includes(KEY)),
    "the stream key never reaches the logs",
  );
});

Deno.test("startRtmpServer() refuses a second publisher and a wrong key, then accepts a new one after the first left", async () => {
  const clip = await ensureTestClip();
  const ingest = startIngest();
  const first = await startPublisher(ingest.url(KEY), { clip });
  let third: Awaited<ReturnType<typeof startPublisher>> | null = null;
  try {
    const session = await waitFor(() => ingest.published[0], { what: "first publish" });
    const tags = ingest.tags.get(session)!;
    await waitFor(() => videoFrames(tags) >= 5, { what: "media" });

    const second = await startPublisher(ingest.url(KEY), { clip });
    const wrongKey = await startPublisher(ingest.url("not-the-key"), { clip });
    const wrongApp = await startPublisher(ingest.url(KEY, "other"), { clip });
    const [s2, s3, s4] = await Promise.all([second.exited, wrongKey.exited, wrongApp.exited]);
    assert.notEqual(s2.code, 0, "second publisher is refused");
    assert.match(second.stderr(), /Already publishing/);
    assert.notEqual(s3.code, 0, "wrong key is refused");
    assert.match(wrongKey.stderr(), /Invalid stream key/);
    assert.notEqual(s4.code, 0, "wrong app is refused");
    assert.equal(ingest.published.length, 1);
    const before = videoFrames(tags);
    await waitFor(() => videoFrames(tags) >= before + 10, {
      what: "first publisher still flowing",
    });
    assert.ok(session.isLive);

    // OBS restart: the first leaves abruptly, a new publisher is accepted.
    first.kill();
    await waitFor(() => ingest.unpublished.length === 1, { what: "unpublish" });
    assert.equal(ingest.server.live, null);
    third = await startPublisher(ingest.url(KEY), { clip });
    const next = await waitFor(() => ingest.published[1], { what: "second publish" });
    await waitFor(() => videoFrames(ingest.tags.get(next)) >= 5, { what: "new media" });
    assert.notEqual(next.id, session.id);
    assert.ok(!session.isLive);
  } finally {
    first.kill();
    await first.exited;
    await third?.stop();
    await ingest.server.close();
  }
  assert.ok(
    !ingest.lines.some((line) => line.includes(KEY)),
    "the stream key never reaches the logs",
  );
});

Deno.test("startRtmpServer() closes connections that never publish", async () => {
  const ingest = startIngest(null);
  try {
    const idle = await Deno.connect({ hostname: "127.0.0.1", port: ingest.server.port });
    const buffer = new Uint8Array(16);
    // The server must close the silent socket (handshake timeout), so read reaches EOF.
    const result = await idle.read(buffer).catch(() => null);
    idle.close();
    assert.equal(result, null);
  } finally {
    await ingest.server.close();
  }
});

Deno.test("PublishSession.tags() streams tags and ends when the publisher leaves", async () => {
  const { logger } = captureLogger();
  let session: PublishSession | null = null;
  const server = startRtmpServer({
    hostname: "127.0.0.1",
    port: 0,
    app: "live",
    logger,
    onPublish: (s) => void (session = s),
    onUnpublish() {},
  });
  try {
    const publisher = await connectPublisher(`rtmp://127.0.0.1:${server.port}/live/any`, {
      logger,
    });
    const live = await waitFor(() => session, { what: "publish" });
    const stream = live.tags();
    const sent: FlvTag[] = [1, 2, 3].map((i) => ({
      type: "audio",
      timestamp: i * 20,
      payload: Uint8Array.of(0xaf, 1, i),
    }));
    for (const tag of sent) publisher.write(tag);
    const got: FlvTag[] = [];
    for await (const tag of stream) {
      got.push(tag);
      if (got.length === sent.length) await publisher.close();
    }
    assert.deepEqual(got, sent);
    await live.closed;
    assert.equal(live.isLive, false);
  } finally {
    await server.close();
  }
});
