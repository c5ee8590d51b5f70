import assert from "node:assert/strict";
import { createMemoryBus } from "@spiritstream/bus";
import { openSqlite } from "@spiritstream/store/sqlite";
import { freePort } from "@spiritstream/testing";
import { serveProbes } from "./serve_probes.ts";

Deno.test("serveProbes() answers health, and ready only once started and while the bus and every store answer", async () => {
  const dir = await Deno.makeTempDir();
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/probe.db`);
  const port = freePort();
  let started = false;
  const server = await serveProbes({
    hostname: "127.0.0.1",
    port,
    bus,
    dbs: [db],
    started: () => started,
  });
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: await response.json() };
  };
  try {
    assert.deepEqual(await get("/health"), { status: 200, body: { ok: true } });
    assert.deepEqual(await get("/ready"), {
      status: 503,
      body: { ready: false, failed: ["starting"] },
    });
    started = true;
    assert.deepEqual(await get("/ready"), { status: 200, body: { ready: true } });
    assert.equal((await get("/nope")).status, 404);
    await db.close();
    assert.deepEqual(await get("/ready"), {
      status: 503,
      body: { ready: false, failed: ["store"] },
    });
    await bus.close();
    assert.deepEqual((await get("/ready")).body.failed, ["bus", "store"]);
    assert.equal((await get("/health")).status, 200, "liveness does not depend on the bus");
  } finally {
    await server.shutdown();
    await bus.close();
    await Deno.remove(dir, { recursive: true });
  }
});
