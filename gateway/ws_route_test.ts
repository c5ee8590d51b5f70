import assert from "node:assert/strict";
import { COMMANDS, EVENTS, LOCAL_TENANT } from "@spiritstream/contracts";
import { createEventPublisher, createMemoryBus } from "@spiritstream/bus";
import { serveHttp } from "@spiritstream/host";
import { createLogger } from "@spiritstream/kit";
import { createGateway } from "./app.ts";
import { createBusAuthenticator } from "./bus_authenticator.ts";
import { createMetrics } from "./metrics.ts";
import { openWs } from "./testdata/ws_clients.ts";
import { createWsHub } from "./ws_hub.ts";

async function gateway() {
  const logger = createLogger({ level: "warn", destination: { write() {} } });
  const bus = createMemoryBus();
  const metrics = createMetrics();
  const hub = createWsHub(bus, {
    logger,
    onCountChange: (n) => metrics.wsClients.set(n),
    onFrame: () => metrics.wsFramesSent.inc(),
  });
  await hub.ready;
  const auth = createBusAuthenticator(bus, { mode: "token", required: false, logger });
  await auth.ready;
  const app = createGateway({
    bus,
    logger,
    metrics,
    hub,
    auth,
    catalogue: COMMANDS,
    settings: {
      corsOrigins: ["http://127.0.0.1:*"],
      rateLimitPerMinute: 10_000,
      bodyLimitBytes: 64 * 1024,
      requestTimeoutMs: 5_000,
      trustProxy: false,
      uiDir: null,
    },
  });
  const server = await serveHttp(app.fetch, { hostname: "127.0.0.1", port: 0 });
  const events = createEventPublisher(bus, EVENTS);
  return {
    base: `127.0.0.1:${server.addr.port}`,
    events,
    metrics,
    async close() {
      await hub.close();
      await server.shutdown();
      await auth.close();
      await bus.close();
    },
  };
}

Deno.test("gateway /ws sends a snapshot first, then events with ids, and replays since an id", async () => {
  const g = await gateway();
  try {
    await g.events.emit(LOCAL_TENANT, "ingest_status", {
      state: "waiting",
      url: "rtmp://127.0.0.1:1935/live",
      remoteAddr: null,
      since: null,
    });
    const ws = await openWs(`ws://${g.base}/ws?snapshot=1`);
    const [snapshot] = await ws.waitFor(1);
    assert.equal(snapshot!.event, "snapshot");
    assert.equal(snapshot!.id, "1");
    const ingest = (snapshot!.payload as { streams: { ingest: { state: string } } }).streams.ingest;
    assert.equal(ingest.state, "waiting");
    const seq = await g.events.emit(LOCAL_TENANT, "profile_changed", {
      action: "saved",
      name: "Main",
    });
    const [, changed] = await ws.waitFor(2);
    assert.deepEqual(changed, {
      event: "profile_changed",
      payload: { action: "saved", name: "Main" },
      id: String(seq),
    });
    assert.match(
      await (await fetch(`http://${g.base}/metrics`)).text(),
      /spiritstream_ws_clients 1/,
    );
    await ws.close();

    const replay = await openWs(`ws://${g.base}/ws?since=1`);
    const [again] = await replay.waitFor(1);
    assert.deepEqual(again, changed);
    await replay.close();
  } finally {
    await g.close();
  }
});

Deno.test("gateway /ws refuses a malformed since with a 400 envelope naming the rule", async () => {
  const g = await gateway();
  try {
    const res = await fetch(`http://${g.base}/ws?since=yesterday`, {
      headers: { upgrade: "websocket", connection: "Upgrade" },
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      ok: false,
      data: null,
      error: 'Invalid argument "since": must be an event id (a whole number from 0)',
    });
  } finally {
    await g.close();
  }
});

Deno.test("gateway GET /ws without an upgrade is a 400 envelope naming the rule", async () => {
  const g = await gateway();
  try {
    const res = await fetch(`http://${g.base}/ws`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      ok: false,
      data: null,
      error: "GET /ws needs a WebSocket upgrade (Upgrade: websocket)",
    });
  } finally {
    await g.close();
  }
});
