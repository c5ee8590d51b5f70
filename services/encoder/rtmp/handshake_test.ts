import assert from "node:assert/strict";
import { ByteReader } from "./byte_reader.ts";
import { handshake } from "./handshake.ts";

Deno.test("handshake() completes between a server and a client and keeps over-read bytes", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const serverSide = (async () => {
    const conn = await listener.accept();
    const reader = new ByteReader(conn);
    await handshake(conn, reader, { role: "server", timeoutMs: 5000 });
    const rest = await reader.readExact(5);
    conn.close();
    return rest;
  })();
  const client = await Deno.connect({ hostname: "127.0.0.1", port });
  await handshake(client, new ByteReader(client), { role: "client", timeoutMs: 5000 });
  await client.write(new TextEncoder().encode("hello"));
  const rest = await serverSide;
  client.close();
  listener.close();
  assert.equal(new TextDecoder().decode(rest), "hello");
});

Deno.test("handshake() rejects a silent peer after the timeout and a wrong version at once", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const silent = await Deno.connect({ hostname: "127.0.0.1", port });
  const conn1 = await listener.accept();
  await assert.rejects(
    handshake(conn1, new ByteReader(conn1), { role: "server", timeoutMs: 200 }),
    /timed out after 200 ms/,
  );
  silent.close();

  const garbage = await Deno.connect({ hostname: "127.0.0.1", port });
  await garbage.write(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
  const conn2 = await listener.accept();
  await assert.rejects(
    handshake(conn2, new ByteReader(conn2), { role: "server", timeoutMs: 5000 }),
    /unsupported version 71/,
  );
  garbage.close();
  listener.close();
});
