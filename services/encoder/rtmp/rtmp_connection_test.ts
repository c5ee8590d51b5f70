import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import { ByteReader } from "./byte_reader.ts";
import { handshake } from "./handshake.ts";
import {
  controlMessage,
  MessageType,
  type RtmpMessage,
  UserControlEvent,
  userControlMessage,
} from "./messages.ts";
import { RtmpConnection } from "./rtmp_connection.ts";

async function connectedPair(
  onB: (m: RtmpMessage) => void,
  onA: (m: RtmpMessage) => void = () => {},
) {
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
  const b = new RtmpConnection(server, { initialBytes: rs.takeBuffered(), onMessage: onB });
  const a = new RtmpConnection(client, { initialBytes: rc.takeBuffered(), onMessage: onA });
  a.start();
  b.start();
  return { a, b };
}

Deno.test("RtmpConnection acknowledges each window the peer asked for and answers pings", async () => {
  const received: RtmpMessage[] = [];
  const fromB: RtmpMessage[] = [];
  const { a, b } = await connectedPair((m) => received.push(m), (m) => fromB.push(m));
  try {
    a.send(controlMessage(MessageType.WindowAckSize, 10_000));
    a.setChunkSize(4096);
    for (let i = 0; i < 50; i++) {
      a.send({
        typeId: MessageType.Video,
        streamId: 1,
        timestamp: i * 33,
        payload: new Uint8Array(2000),
      }, 6);
    }
    await waitFor(() => received.length === 50, { what: "messages" });
    await waitFor(() => a.peerAcknowledged >= 90_000, { what: "acknowledgements" });
    assert.ok(a.peerAcknowledged <= b.bytesReceived);

    a.send(userControlMessage(UserControlEvent.PingRequest, 4242));
    const pong = await waitFor(() => fromB.find((m) => m.typeId === MessageType.UserControl), {
      what: "pong",
    });
    const view = new DataView(pong.payload.buffer, pong.payload.byteOffset);
    assert.deepEqual([view.getUint16(0), view.getUint32(2)], [UserControlEvent.PingResponse, 4242]);
  } finally {
    a.close();
    b.close();
  }
  assert.equal(await b.closed, null);
});

Deno.test("RtmpConnection closes an idle peer after the idle timeout", async () => {
  const { a, b } = await connectedPair(() => {});
  b.setIdleTimeout(200);
  const error = await b.closed;
  assert.match(String(error), /No data from peer for 200 ms/);
  assert.equal(await a.closed, null, "the other side sees a clean EOF");
});

Deno.test({
  name:
    "RtmpConnection.batchReads() sizes a mark from the rate, keeps every message and releases a pause",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const received: RtmpMessage[] = [];
    const { a, b } = await connectedPair((m) => received.push(m));
    try {
      b.batchReads(40);
      a.setChunkSize(4096);
      a.send(controlMessage(MessageType.WindowAckSize, 100_000));
      // ~200 kB/s (about 8 kB per 40 ms), at least 300 kB and 1.5 s even on a busy machine.
      let sent = 0;
      const started = performance.now();
      while (performance.now() - started < 1500 || sent < 300) {
        a.send({
          typeId: MessageType.Video,
          streamId: 1,
          timestamp: sent,
          payload: new Uint8Array(1000),
        }, 6);
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await waitFor(() => b.readLowWater > 1, { what: "a low-water mark", timeoutMs: 5000 });
      assert.ok(b.readLowWater < 64 * 1024, `mark ${b.readLowWater} is sized from the rate`);
      // The last message sits below the mark until the pause is noticed; then it is read.
      a.send({
        typeId: MessageType.Audio,
        streamId: 1,
        timestamp: sent,
        payload: new Uint8Array(10),
      }, 4);
      await waitFor(() => received.some((m) => m.typeId === MessageType.Audio), {
        what: "the message sent before the pause",
        timeoutMs: 5000,
      });
      assert.equal(received.filter((m) => m.typeId === MessageType.Video).length, sent);
      await waitFor(() => b.readLowWater === 1, {
        what: "a pause to drop the mark",
        timeoutMs: 5000,
      });
      // 300 kB against a 100 kB window: acks keep flowing (every half window while batching).
      await waitFor(() => a.peerAcknowledged >= 200_000, { what: "acknowledgements" });

      b.batchReads(0);
      assert.equal(b.readLowWater, 1);
    } finally {
      a.close();
      b.close();
    }
  },
});
