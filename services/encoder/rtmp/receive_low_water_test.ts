import assert from "node:assert/strict";
import { receiveLowWater } from "./receive_low_water.ts";

async function pair(): Promise<{ server: Deno.TcpConn; client: Deno.TcpConn }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  const [server, client] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: "127.0.0.1", port }),
  ]);
  listener.close();
  return { server, client };
}

/** Resolves to the bytes of one read, or null if none completes within `ms`. */
function readWithin(read: Promise<number | null>, ms: number): Promise<number | null | "late"> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(() => resolve("late"), ms)));
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}

Deno.test({
  name:
    "receiveLowWater() makes the kernel hold small arrivals until the mark, and 1 releases them",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const { server, client } = await pair();
    try {
      const setMark = receiveLowWater(server);
      assert.ok(setMark, "found the accepted socket's descriptor and libc's setsockopt");
      assert.equal(setMark(4096), true);
      const buffer = new Uint8Array(64 * 1024);

      let read = server.read(buffer);
      await client.write(new Uint8Array(100));
      assert.equal(await readWithin(read, 300), "late", "100 bytes stay below a 4096 mark");
      await client.write(new Uint8Array(5000));
      assert.equal(await read, 5100, "one read takes everything once the mark is passed");

      read = server.read(buffer);
      await client.write(new Uint8Array(10));
      assert.equal(await readWithin(read, 300), "late");
      assert.equal(setMark(1), true);
      assert.equal(await readWithin(read, 2000), 10, "lowering the mark wakes the reader");

      client.close();
      assert.equal(await server.read(buffer), null, "EOF still wakes a reader");
    } finally {
      server.close();
      try {
        client.close();
      } catch {
        // closed above
      }
    }
  },
});

Deno.test("receiveLowWater() answers null for a socket that is not this process's TCP connection", async () => {
  const { server, client } = await pair();
  server.close();
  try {
    // The server side is gone from /proc: nothing to set.
    assert.equal(receiveLowWater(server), null);
  } finally {
    client.close();
  }
});
