import assert from "node:assert/strict";
import { EVENTS, LOCAL_TENANT } from "@spiritstream/contracts";
import { type Bus, createEventPublisher, createMemoryBus } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import { createLogger, loadConfig } from "@spiritstream/kit";
import { freePort, startNatsServer, waitFor } from "@spiritstream/testing";
import { startGateway } from "./server.ts";
import { type SpawnedService, spawnService } from "./testdata/spawn_service.ts";
import { startWsCrowd } from "./testdata/ws_crowd.ts";

const CLIENTS = 1000;

/**
 * 1000 sockets (in another process) connect at once; the moment the last one is open, one event
 * is published. "open" means "subscribed from here on": every socket must get it.
 */
async function everyOpenSocketGetsTheNextEvent(urls: string[], bus: Bus): Promise<void> {
  const crowd = startWsCrowd(CLIENTS, urls);
  try {
    const { open, failed } = await crowd.open;
    assert.equal(failed, 0, `${failed} of ${CLIENTS} sockets failed to open`);
    const marker = `after-open-${crypto.randomUUID()}`;
    await createEventPublisher(bus, EVENTS).emit(LOCAL_TENANT, "log://log", {
      level: 3,
      message: marker,
      target: "ws_connect_test",
    });
    // Generous: a client that missed the event never gets it, however long it waits.
    const { received } = await crowd.expect(marker, 30_000);
    assert.equal(received, open, `${open - received} of ${open} open sockets missed the event`);
  } finally {
    await crowd.stop();
  }
}

Deno.test("ws hub (in-process bus): every one of 1000 sockets that saw open gets the event published right after", async () => {
  const logger = createLogger({ level: "error", destination: { write() {} } });
  const bus = createMemoryBus();
  const config = loadConfig({
    SPIRITSTREAM_HOST: "127.0.0.1",
    SPIRITSTREAM_PORT: String(freePort()),
    SPIRITSTREAM_UI_ENABLED: "false",
    SPIRITSTREAM_RATE_LIMIT: "1000000",
  });
  const gateway = await startGateway({ bus, logger, config });
  try {
    await everyOpenSocketGetsTheNextEvent([`ws://127.0.0.1:${gateway.addr.port}/ws`], bus);
  } finally {
    await gateway.close();
    await bus.close();
  }
});

Deno.test("ws hub (NATS): every one of 1000 sockets on a gateway process gets the event published right after their open", async () => {
  const nats = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-ws-connect-" });
  let gateway: SpawnedService | undefined;
  let bus: Bus | undefined;
  try {
    const port = freePort();
    gateway = spawnService("gateway/main.ts", {
      SPIRITSTREAM_NATS_URL: nats.url,
      SPIRITSTREAM_DATA_DIR: dir,
      SPIRITSTREAM_PORT: String(port),
      SPIRITSTREAM_RATE_LIMIT: "1000000",
      HOME: dir,
    });
    await waitFor(async () => {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      await res.body?.cancel();
      return res.ok;
    }, { timeoutMs: 60_000, what: "the gateway" }).catch((error) => {
      throw new Error(`${error.message}\n${gateway?.output()}`);
    });
    bus = await createNatsBus({ servers: nats.url });
    await everyOpenSocketGetsTheNextEvent([`ws://127.0.0.1:${port}/ws`], bus);
  } finally {
    await bus?.close();
    await gateway?.stop();
    await nats.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
