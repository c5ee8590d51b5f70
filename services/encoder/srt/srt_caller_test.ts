import assert from "node:assert/strict";
import { freePort } from "@spiritstream/testing";
import { SRTO } from "./libsrt.ts";
import { openSrtCaller } from "./srt_caller.ts";
import { SrtSocket } from "./srt_socket.ts";

Deno.test("openSrtCaller() puts the URL's stream id and passphrase on the socket", async () => {
  const port = freePort();
  const server = SrtSocket.create();
  server.set({ name: "passphrase", option: SRTO.PASSPHRASE, value: "caller-test-passphrase" });
  server.bind({ hostname: "127.0.0.1", port });
  server.listen("test");
  const accepted = server.accept();
  const url =
    `srt://localhost:${port}?streamid=publish/caller-id&passphrase=caller-test-passphrase`;
  const caller = await openSrtCaller(url, new AbortController().signal);
  const peer = (await accepted)!;
  try {
    assert.equal(peer.getString(SRTO.STREAMID), "publish/caller-id");
    assert.equal(caller.send(new Uint8Array(1316)), 1316);
  } finally {
    await caller.close();
    await peer.close();
    await server.close();
  }
});

Deno.test("openSrtCaller() gives up at once when aborted while nobody answers", async () => {
  const abort = new AbortController();
  const connecting = openSrtCaller(
    `srt://127.0.0.1:${freePort()}?connect_timeout=60000`,
    abort.signal,
  );
  setTimeout(() => abort.abort(), 100);
  await assert.rejects(connecting, /cancelled/);
});
