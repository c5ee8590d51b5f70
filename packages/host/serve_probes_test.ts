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

Deno.test("serveProbes() serves /metrics: the text every source added, read fresh at each scrape", async () => {
  const bus = createMemoryBus();
  const port = freePort();
  let streams = 1;
  const metrics = [
    () => `# TYPE a_streams gauge\na_streams ${streams}`,
    () => Promise.resolve("# TYPE b_total counter\nb_total 7\n"),
  ];
  const server = await serveProbes({
    hostname: "127.0.0.1",
    port,
    bus,
    dbs: [],
    started: () => true,
    metrics,
  });
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    return { type: response.headers.get("content-type"), text: await response.text() };
  };
  try {
    const first = await scrape();
    assert.equal(first.type, "text/plain; version=0.0.4; charset=utf-8");
    assert.equal(
      first.text,
      "# TYPE a_streams gauge\na_streams 1\n# TYPE b_total counter\nb_total 7\n",
    );
    streams = 2;
    assert.match((await scrape()).text, /^a_streams 2$/m);
  } finally {
    await server.shutdown();
    await bus.close();
  }
});

Deno.test("serveProbes() serves an empty /metrics when the service added none", async () => {
  const bus = createMemoryBus();
  const port = freePort();
  const server = await serveProbes({
    hostname: "127.0.0.1",
    port,
    bus,
    dbs: [],
    started: () => true,
  });
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "");
  } finally {
    await server.shutdown();
    await bus.close();
  }
});

Deno.test("serveProbes() adds what the service reports to its /ready answer, ready or not", async () => {
  const bus = createMemoryBus();
  const port = freePort();
  let started = false;
  let streams = 1;
  const server = await serveProbes({
    hostname: "127.0.0.1",
    port,
    bus,
    dbs: [],
    started: () => started,
    details: [() => ({ load: { streams, tenantLimit: 2 } })],
  });
  const ready = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/ready`);
    return { status: response.status, body: await response.json() };
  };
  try {
    assert.deepEqual(await ready(), {
      status: 503,
      body: { load: { streams: 1, tenantLimit: 2 }, ready: false, failed: ["starting"] },
    });
    started = true;
    streams = 2;
    assert.deepEqual(await ready(), {
      status: 200,
      body: { load: { streams: 2, tenantLimit: 2 }, ready: true },
    });
  } finally {
    await server.shutdown();
    await bus.close();
  }
});
