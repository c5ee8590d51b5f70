import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import type { FlvTag } from "../flv/flv.ts";
import { ByteReader } from "./byte_reader.ts";
import { handshake } from "./handshake.ts";
import type { RtmpMessage } from "./messages.ts";
import { PushSender } from "./push_sender.ts";
import { RtmpConnection } from "./rtmp_connection.ts";

/** A connected pair over loopback whose sending side counts its socket writes. */
async function countingPair(onMessage: (m: RtmpMessage) => void) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const [server, client] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: "127.0.0.1", port }),
  ]);
  listener.close();
  const rs = new ByteReader(server);
  const rc = new ByteReader(client);
  await Promise.all([
    handshake(server, rs, { role: "server" }),
    handshake(client, rc, { role: "client" }),
  ]);
  const writes = { count: 0 };
  const counted = {
    read: (p: Uint8Array) => client.read(p),
    write: (p: Uint8Array) => {
      writes.count++;
      return client.write(p);
    },
    close: () => client.close(),
    localAddr: client.localAddr,
    remoteAddr: client.remoteAddr,
  } as unknown as Deno.Conn;
  const receiver = new RtmpConnection(server, { initialBytes: rs.takeBuffered(), onMessage });
  const sender = new RtmpConnection(counted, {
    initialBytes: rc.takeBuffered(),
    onMessage: () => {},
    onProgress: () => push?.progress(),
  });
  let push: PushSender | null = null;
  receiver.start();
  sender.start();
  return { receiver, sender, writes, setPush: (p: PushSender) => push = p };
}

function videoFrame(timestamp: number, bytes: number): FlvTag {
  const payload = new Uint8Array(bytes);
  payload[0] = 0x17; // keyframe, AVC
  payload[1] = 1; // a NAL unit, not the sequence header
  return { type: "video", timestamp, payload };
}

Deno.test("PushSender: one ingest read batch (~100 ms at 4.5 Mbit/s) leaves in one socket write, and a link that keeps up is never asked about its send queue", async () => {
  const received: RtmpMessage[] = [];
  const { receiver, sender, writes, setPush } = await countingPair((m) => received.push(m));
  let askedKernel = 0;
  const push = new PushSender(sender, {
    streamId: 1,
    maxLagMs: 5000,
    maxQueuedBytes: 8 * 1024 * 1024,
    delivered: () => {
      askedKernel++;
      return sender.bytesSent;
    },
  });
  setPush(push);
  try {
    // The handshake's own writes are done; count from here.
    await new Promise((resolve) => setTimeout(resolve, 50));
    writes.count = 0;
    // What one ~130 ms read of a 4.5 Mbit/s publisher holds: 4 frames, 75 KB, in one task.
    for (let i = 0; i < 4; i++) push.write(videoFrame(i * 33, 18_750));
    await waitFor(() => received.length === 4, { what: "the batch at the receiver" });
    assert.equal(writes.count, 1, "one write for the batch (64 KiB pieces or a 32 KiB feed: 2–3)");
    assert.equal(askedKernel, 0, "no SIOCOUTQ per tag while nothing waits for the socket");
    assert.deepEqual(received.map((m) => m.payload.length), [18_750, 18_750, 18_750, 18_750]);
  } finally {
    sender.close();
    receiver.close();
    await Promise.all([sender.closed, receiver.closed]).catch(() => {});
  }
});

Deno.test("PushSender: a link that is behind is refilled 32 KiB at a time, so what can no longer be dropped stays small", async () => {
  // A socket whose writes complete only when the test says: the link is as slow as we want.
  const sizes: number[] = [];
  const pending: (() => void)[] = [];
  const conn = {
    read: () => new Promise<number | null>(() => {}),
    write: (p: Uint8Array) => {
      sizes.push(p.length);
      return new Promise<number>((resolve) => pending.push(() => resolve(p.length)));
    },
    close: () => {},
    localAddr: { transport: "tcp", hostname: "127.0.0.1", port: 1 },
    remoteAddr: { transport: "tcp", hostname: "127.0.0.1", port: 2 },
  } as unknown as Deno.Conn;
  let push: PushSender | null = null;
  const rtmp = new RtmpConnection(conn, {
    initialBytes: new Uint8Array(0),
    onMessage: () => {},
    onProgress: () => push?.progress(),
  });
  push = new PushSender(rtmp, { streamId: 1, maxLagMs: 60_000, maxQueuedBytes: 64 << 20 });
  rtmp.start();
  // One read batch while the link kept up: it leaves at once.
  for (let i = 0; i < 4; i++) push.write(videoFrame(i * 33, 18_750));
  await waitFor(() => sizes.length === 1, { what: "the first write" });
  // The socket has not taken it yet: the next batches wait as tags (droppable by media time).
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (let i = 4; i < 40; i++) push.write(videoFrame(i * 33, 18_750));
  assert.equal(sizes.length, 1, "nothing more is written while the socket is busy");
  // The socket takes the write: the refill is a small piece, not everything up to 256 KiB.
  pending.shift()!();
  await waitFor(() => sizes.length === 2, { what: "the refill's write" });
  assert.ok(sizes[1]! <= 32 * 1024 + 18_750 + 64, `refill of ${sizes[1]} bytes`);
  assert.ok(push.lagMs > 0, "the rest still waits as tags");
  push.closed();
  for (const resolve of pending) resolve();
  rtmp.close();
});
