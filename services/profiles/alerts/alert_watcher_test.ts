import assert from "node:assert/strict";
import { COMMANDS, EVENTS, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand, createEventPublisher, createMemoryBus } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import { createLogger, createRedactor, openRootKeys } from "@spiritstream/kit";
import { openSqlite } from "@spiritstream/store/sqlite";
import { type NatsServer, startHttpsReceiver, startNatsServer } from "@spiritstream/testing";
import { startProfilesService } from "../service.ts";
import { sampleProfile, secret } from "../testdata/profiles.ts";

const meta: RequestMeta = {
  requestId: "t",
  tenantId: "local",
  userId: null,
  role: null,
  ip: null,
};

/** Each replica's bus: one in-process bus shared, or a NATS connection each. */
type Buses = { replicas: [Bus, Bus]; close(): Promise<void> };

function memoryBuses(): Promise<Buses> {
  const bus = createMemoryBus();
  return Promise.resolve({ replicas: [bus, bus], close: () => bus.close() });
}

async function natsBuses(): Promise<Buses> {
  const server: NatsServer = await startNatsServer();
  const replicas: [Bus, Bus] = [
    await createNatsBus({ servers: server.url, name: "replica-a" }),
    await createNatsBus({ servers: server.url, name: "replica-b" }),
  ];
  return {
    replicas,
    async close() {
      for (const bus of replicas) await bus.close();
      await server.stop();
    },
  };
}

for (const [name, makeBuses] of [["in-process bus", memoryBuses], ["NATS", natsBuses]] as const) {
  Deno.test(`alerts (${name}): two profiles replicas sharing a store send each alert once`, () =>
    twoReplicas(makeBuses));
}

async function twoReplicas(makeBuses: () => Promise<Buses>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-alerts-" });
  const receiver = await startHttpsReceiver();
  const httpClient = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(receiver.caFile)] });
  const buses = await makeBuses();
  const bus = buses.replicas[0];
  const redactor = createRedactor();
  const logger = createLogger({ level: "warn", redactor, destination: { write: () => {} } });
  const dbs = [openSqlite(`${dir}/profiles.db`), openSqlite(`${dir}/profiles.db`)];
  const rootKeys = await openRootKeys({ kind: "machine_file", path: `${dir}/secrets.key` });
  const replicas = [];
  try {
    for (const [i, db] of dbs.entries()) {
      replicas.push(
        await startProfilesService({
          bus: buses.replicas[i]!,
          db,
          logger,
          redactor,
          rootKeys,
          dataDir: dir,
          homeDir: null,
          httpClient,
        }),
      );
    }
    const profile = sampleProfile("Alerts", {
      twitch: secret("tw"),
      youtube: secret("yt"),
      kick: secret("kick"),
    });
    profile.settings = {
      alerts: {
        enabled: true,
        webhookUrl: `${receiver.base}/alerts/${secret("hook")}`,
        format: "json",
        afterSecs: 1,
      },
    };
    await callCommand(bus, COMMANDS.save_profile, { meta, args: { profile } });
    await callCommand(bus, COMMANDS.load_profile, { meta, args: { name: "Alerts" } });
    const events = createEventPublisher(bus, EVENTS);
    const status = (state: string) => ({
      groupId: "default",
      targetId: `${profile.id}-twitch`,
      state,
      attempt: state === "live" ? 0 : 1,
      nextRetryMs: state === "live" ? null : 500,
      error: state === "live" ? null : "Connection refused",
    });
    // What the encoder emits for a target that drops, retries and comes back.
    await events.emit("local", "target_status", status("live") as never);
    await events.emit("local", "target_status", status("reconnecting") as never);
    await events.emit("local", "target_status", status("reconnecting") as never);
    const [down] = await receiver.waitFor("/alerts/", 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await events.emit("local", "target_status", status("live") as never);
    await receiver.waitFor("/alerts/", 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sent = receiver.to("/alerts/").map((r) => (r.json as { event: string }).event);
    assert.deepEqual(sent, ["target_down", "target_up"]);
    const body = down!.json as { name: string; error: string };
    assert.equal(body.name, "Twitch");
    assert.equal(body.error, "Connection refused");
  } finally {
    for (const replica of replicas) await replica.close();
    for (const db of dbs) await db.close();
    await buses.close();
    httpClient.close();
    await receiver.stop();
    await Deno.remove(dir, { recursive: true });
  }
}
