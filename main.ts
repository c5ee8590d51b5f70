/**
 * The desktop host: the gateway and all four services in one process over the in-process bus,
 * SQLite files in the data dir, bound to 127.0.0.1:8008 by default. `deno task start` runs it.
 * @module
 */
import { createMemoryBus } from "@spiritstream/bus";
import { startGateway } from "@spiritstream/gateway";
import {
  ConfigError,
  createLogger,
  createRedactor,
  isLoopbackHost,
  loadConfig,
  onShutdown,
} from "@spiritstream/kit";
import { openSqlite } from "@spiritstream/store/sqlite";
import { keySourceFromConfig, SecretKeyError, startProfilesService } from "@spiritstream/profiles";
import { startEncoderService } from "@spiritstream/encoder";
import { startEventsService } from "@spiritstream/events";
import { startAuthService } from "@spiritstream/auth";

const started = performance.now();
let config;
try {
  config = loadConfig(Deno.env.toObject(), {
    defaultUiDir: new URL("./web/dist", import.meta.url).pathname,
  });
  if (!isLoopbackHost(config.host) && !config.apiToken && config.authMode === "token") {
    throw new ConfigError(
      "SPIRITSTREAM_HOST",
      `refusing to listen on ${config.host} without a token: set SPIRITSTREAM_API_TOKEN (anyone on the network could control your streams)`,
    );
  }
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // One line, then stop: config errors are the user's to fix.
  // deno-lint-ignore no-console
  console.error(error.message);
  Deno.exit(2);
}

const redactor = createRedactor();
redactor.add(config.apiToken);
const logger = createLogger({ level: config.logLevel, redactor, base: { mode: "desktop" } });
await Deno.mkdir(config.dataDir, { recursive: true });

const bus = createMemoryBus();
// One SQLite file per service: services never read each other's tables.
const dbs = {
  profiles: openSqlite(`${config.dataDir}/profiles.db`),
  events: openSqlite(`${config.dataDir}/events.db`),
  auth: openSqlite(`${config.dataDir}/auth.db`),
};
const services = [
  await startProfilesService({
    bus,
    db: dbs.profiles,
    logger,
    redactor,
    keySource: keySourceFromConfig(config),
    dataDir: config.dataDir,
    homeDir: Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? null,
  }).catch((error) => {
    if (!(error instanceof SecretKeyError)) throw error;
    // deno-lint-ignore no-console
    console.error(error.message);
    Deno.exit(2);
  }),
  await startEncoderService({ bus, logger }),
  await startEventsService({ bus, logger }),
  await startAuthService({ bus, logger }),
];
const gateway = await startGateway({ bus, logger, config });
logger.info(
  {
    url: `http://${gateway.addr.hostname}:${gateway.addr.port}`,
    startupMs: Math.round(performance.now() - started),
  },
  "SpiritStream is ready",
);

onShutdown(logger, async () => {
  await gateway.close();
  for (const service of services.reverse()) await service.close();
  for (const db of Object.values(dbs)) await db.close();
  await bus.close();
});
