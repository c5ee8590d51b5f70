import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { ensureTestClip, startNginxRtmp, waitFor } from "@spiritstream/testing";
import type { FlvTag } from "../flv/flv.ts";
import { FlvReader } from "../flv/flv_reader.ts";
import type { PublishSession } from "./publish_session.ts";
import { connectPublisher } from "./rtmp_publisher.ts";
import { startRtmpServer } from "./rtmp_server.ts";
import { captureLogger } from "../testdata/capture_logger.ts";

const KEY = "pub_key_abcdef123456";

async function clipTags(): Promise<FlvTag[]> {
  const tags: FlvTag[] = [];
  for await (const tag of new FlvReader((await Deno.open(await ensureTestClip())).readable)) {
    tags.push(tag);
  }
  return tags;
}

function ingest(streamKey: string | null) {
  const { logger, lines } = captureLogger();
  const sessions: PublishSession[] = [];
  const received: FlvTag[] = [];
  const server = startRtmpServer({
    hostname: "127.0.0.1",
    port: 0,
    app: "live",
    streamKey,
    logger,
    onPublish(session) {
      sessions.push(session);
      session.onTag((tag) => received.push(tag));
    },
    onUnpublish() {},
  });
  return { server, sessions, received, lines, logger };
}

Deno.test("connectPublisher() pushes tags that arrive byte-identical at an RTMP server", async () => {
  const tags = await clipTags();
  const { server, sessions, received, lines, logger } = ingest(KEY);
  try {
    const publisher = await connectPublisher(`rtmp://127.0.0.1:${server.port}/live/${KEY}`, {
      logger,
      // The whole 10 s clip is written at once: far behind "live" for the default 2 s bound.
      maxLagMs: 60_000,
    });
    assert.equal(publisher.target, `rtmp://127.0.0.1:${server.port}/live/***`);
    for (const tag of tags) publisher.write(tag);
    await waitFor(() => received.length === tags.length, { what: "all tags" });
    assert.deepEqual(received, tags);
    assert.equal(sessions[0]?.metadata?.width, 640, "onMetaData went out as @setDataFrame");
    await waitFor(() => publisher.queuedBytes === 0, { what: "queue drained" });
    assert.ok(publisher.bytesSent > tags.reduce((n, t) => n + t.payload.length, 0));
    assert.equal(publisher.tagsSent, tags.length);
    assert.equal(publisher.droppedTags, 0);
    await publisher.close();
    assert.deepEqual(await publisher.closed, { reason: "closed" });
    await waitFor(() => !sessions[0]?.isLive, { what: "unpublish" });
  } finally {
    await server.close();
  }
  assert.ok(!lines.some((line) => line.includes(KEY)));
});

Deno.test("connectPublisher() surfaces the server going away on `closed`", async () => {
  const { server, logger } = ingest(null);
  const publisher = await connectPublisher(`rtmp://127.0.0.1:${server.port}/live/${KEY}`, {
    logger,
  });
  await server.close();
  const ended = await publisher.closed;
  assert.equal(ended.reason, "error");
  assert.ok(publisher.isClosed);
  publisher.write({ type: "audio", timestamp: 0, payload: Uint8Array.of(0xaf, 1) });
  assert.equal(publisher.droppedTags, 1, "writes after close are dropped, not thrown");
});

Deno.test("connectPublisher() rejects with a clear error that never contains the key", async (t) => {
  const { server, logger } = ingest("the-right-key");
  const check = (code: string, pattern: RegExp) => (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(KEY), error.message);
    return true;
  };
  try {
    await t.step("wrong key", async () => {
      await assert.rejects(
        connectPublisher(`rtmp://127.0.0.1:${server.port}/live/${KEY}`, { logger }),
        check("failed_precondition", /NetStream\.Publish\.BadName \(Invalid stream key\.\)/),
      );
    });
    await t.step("nothing listening", async () => {
      const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const { port } = closed.addr as Deno.NetAddr;
      closed.close();
      await assert.rejects(
        connectPublisher(`rtmp://127.0.0.1:${port}/live/${KEY}`, { logger }),
        check("unavailable", /refused/i),
      );
    });
    await t.step("silent server", async () => {
      const silent = Deno.listen({ hostname: "127.0.0.1", port: 0 });
      const { port } = silent.addr as Deno.NetAddr;
      const accepted = silent.accept();
      await assert.rejects(
        connectPublisher(`rtmp://127.0.0.1:${port}/live/${KEY}`, { logger, timeoutMs: 300 }),
        check("timeout", /timed out after 300 ms/),
      );
      (await accepted).close();
      silent.close();
    });
  } finally {
    await server.close();
  }
});

Deno.test("connectPublisher() disconnects a destination that stops reading", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const { logger } = captureLogger();
  try {
    const publisher = await connectPublisher(nginx.url(0, "hung"), { logger, stallTimeoutMs: 500 });
    nginx.pauseServer(0);
    // Far more than the loopback socket buffers hold: the writes must stall.
    const frame = new Uint8Array(256 * 1024);
    frame.set([0x17, 1]);
    for (let i = 0; i < 200; i++) {
      publisher.write({ type: "video", timestamp: i * 33, payload: frame });
    }
    const ended = await publisher.closed;
    assert.equal(ended.reason, "error");
    assert.match(String(ended.error?.message), /stopped reading for 500 ms/);
    assert.ok(publisher.droppedTags > 0, "the bounded queue dropped instead of growing");
  } finally {
    nginx.resumeServer(0);
    await nginx.stop();
  }
});
