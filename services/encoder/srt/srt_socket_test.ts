import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { freePort, waitFor } from "@spiritstream/testing";
import { SRTO } from "./libsrt.ts";
import { SrtSocket } from "./srt_socket.ts";

const PASSPHRASE = "socket-test-passphrase";

function listener(port: number, passphrase: string): SrtSocket {
  const socket = SrtSocket.create();
  socket.set({ name: "passphrase", option: SRTO.PASSPHRASE, value: passphrase });
  socket.bind({ hostname: "127.0.0.1", port });
  socket.listen("test");
  return socket;
}

function caller(passphrase: string, streamId: string): SrtSocket {
  const socket = SrtSocket.create();
  socket.set({ name: "passphrase", option: SRTO.PASSPHRASE, value: passphrase });
  socket.set({ name: "streamid", option: SRTO.STREAMID, value: streamId });
  socket.set({ name: "connect_timeout", option: SRTO.CONNTIMEO, value: 2000 });
  return socket;
}

Deno.test("SrtSocket carries messages from a caller to a listener with passphrase and stream id", async () => {
  const port = freePort();
  const server = listener(port, PASSPHRASE);
  const client = caller(PASSPHRASE, "publish/stream-id-1");
  try {
    const accepted = server.accept();
    await client.connect({ hostname: "127.0.0.1", port }, `127.0.0.1:${port}`);
    const peer = await accepted;
    assert.ok(peer);
    assert.equal(peer.getString(SRTO.STREAMID), "publish/stream-id-1");
    assert.match(peer.remoteAddr ?? "", /^127\.0\.0\.1:\d+$/);
    const message = new Uint8Array(1316).fill(0x47);
    assert.equal(client.send(message), 1316);
    const buffer = new Uint8Array(1500);
    assert.ok(peer.nonBlockingReceive());
    await waitFor(() => peer.tryReceive(buffer) === 1316, { what: "the message" });
    assert.deepEqual(buffer.subarray(0, 1316), message);
    // The caller leaving is seen on the listener side.
    await client.close();
    await waitFor(() => !peer.connected(), { what: "the caller gone" });
    await peer.close();
  } finally {
    await client.close();
    await server.close();
  }
});

Deno.test("SrtSocket.close() ends a pending accept and frees the port at once", async () => {
  const port = freePort();
  const server = listener(port, PASSPHRASE);
  const accepting = server.accept();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await server.close();
  assert.equal(await accepting, null);

  const again = listener(port, PASSPHRASE);
  const client = caller(PASSPHRASE, "x");
  const accepted = again.accept();
  await client.connect({ hostname: "127.0.0.1", port }, "local");
  const peer = (await accepted)!;
  await peer.close();
  await client.close();
  await again.close();
});

Deno.test("SrtSocket.connect() names a wrong passphrase and a missing listener, never the secret", async () => {
  const port = freePort();
  const server = listener(port, PASSPHRASE);
  const wrong = caller("not-the-passphrase", "secret-stream-id");
  try {
    const error = await wrong.connect({ hostname: "127.0.0.1", port }, `127.0.0.1:${port}`)
      .then(() => null, (e) => e);
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "failed_precondition");
    assert.match(error.message, /wrong passphrase/);
    assert.doesNotMatch(error.message, /not-the-passphrase|secret-stream-id/);
  } finally {
    await wrong.close();
    await server.close();
  }
  const nobody = caller(PASSPHRASE, "x");
  nobody.set({ name: "connect_timeout", option: SRTO.CONNTIMEO, value: 500 });
  try {
    const error = await nobody.connect({ hostname: "127.0.0.1", port: freePort() }, "there")
      .then(() => null, (e) => e);
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "unavailable");
    assert.match(error.message, /timed out|refused/);
  } finally {
    await nobody.close();
  }
});

Deno.test("SrtSocket.tryReceive() takes waiting messages without blocking and sees the caller leave", async () => {
  const port = freePort();
  const server = listener(port, PASSPHRASE);
  const client = caller(PASSPHRASE, "x");
  try {
    const accepted = server.accept();
    await client.connect({ hostname: "127.0.0.1", port }, "local");
    const peer = (await accepted)!;
    peer.nonBlockingReceive();
    const buffer = new Uint8Array(1500);
    assert.equal(peer.tryReceive(buffer), "again");
    client.send(new Uint8Array(1316).fill(1));
    client.send(new Uint8Array(1316).fill(2));
    const got = await waitFor(() => peer.tryReceive(buffer) === 1316 ? buffer[0] : null, {
      what: "the first message",
    });
    assert.equal(got, 1);
    await client.close();
    const ended = await waitFor(() => {
      const result = peer.tryReceive(buffer);
      return result === 0 ? "ended" : null;
    }, { what: "the caller to be seen gone" });
    assert.equal(ended, "ended");
    await peer.close();
  } finally {
    await client.close();
    await server.close();
  }
});
