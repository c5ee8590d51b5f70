import assert from "node:assert/strict";
import { startNatsServer } from "./nats_server.ts";

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function answers(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    const buffer = new Uint8Array(4);
    const read = await conn.read(buffer);
    conn.close();
    return read === 4 && new TextDecoder().decode(buffer) === "INFO";
  } catch {
    return false;
  }
}

Deno.test("startNatsServer() runs a server that survives kill and restart on the same port", async () => {
  const server = await startNatsServer();
  try {
    assert.equal(server.url, `nats://127.0.0.1:${server.port}`);
    assert.equal(await answers(server.port), true);
    await server.kill();
    assert.equal(await answers(server.port), false);
    await server.restart();
    assert.equal(await answers(server.port), true);
    assert.equal(await exists(`${server.storeDir}/jetstream`), true);
  } finally {
    await server.stop();
  }
  assert.equal(await answers(server.port), false);
  assert.equal(await exists(server.storeDir), false);
});

Deno.test("startNatsServer() says why a server could not start", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    await assert.rejects(startNatsServer({ port }), /nats-server exited: .*address already in use/);
  } finally {
    taken.close();
  }
});
