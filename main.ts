/**
 * The desktop host: the gateway and all four services in one process over the in-process bus,
 * SQLite files in the data dir, bound to 127.0.0.1:8008 by default. `deno task start` runs it.
 * @module
 */
import { AppError, LOCAL_TENANT } from "@spiritstream/contracts";
import { createLogForwarder, createMemoryBus, type HostedService } from "@spiritstream/bus";
import { startGateway } from "@spiritstream/gateway";
import {
  type Config,
  ConfigError,
  createLogger,
  createRedactor,
  exitIfOperatorError,
  isLoopbackHost,
  keySourceFromConfig,
  loadConfig,
  onShutdown,
  openRootKeys,
  openRotatingLogFile,
  SecretKeyError,
  secureDataDir,
  type StoredBackendSettings,
  terminalDestination,
  wantsJsonLogs,
} from "@spiritstream/kit";
import { readStoredBackend } from "@spiritstream/host";
import { openSqlite } from "@spiritstream/store/sqlite";
import { chatOptions, oauthConfigFromEnv, startProfilesService } from "@spiritstream/profiles";
import { openDesktopLeaseStore, startEncoderService } from "@spiritstream/encoder";
import { startEventsService } from "@spiritstream/events";
import { authSettingsFromConfig, SigningKeyError, startAuthService } from "@spiritstream/auth";

const started = performance.now();
// The dashboard build sits at web/dist beside main.ts, both from source and inside an executable
// from `deno compile --include web/dist`; `deno task bundle` puts it at web/ beside the bundle.
const uiDir = new URL(import.meta.url.endsWith(".ts") ? "./web/dist" : "./web", import.meta.url);
const env = Deno.env.toObject();

/** Resolves config (env > the last profile's backend settings > defaults) or exits with one line. */
function resolveConfig(stored: StoredBackendSettings = {}): Config {
  try {
    const resolved = loadConfig(env, { stored, defaultUiDir: decodeURIComponent(uiDir.pathname) });
    if (!isLoopbackHost(resolved.host) && !resolved.apiToken && resolved.authMode === "token") {
      throw new ConfigError(
        "SPIRITSTREAM_HOST",
        `refusing to listen on ${resolved.host} without a token: set SPIRITSTREAM_API_TOKEN (anyone on the network could control your streams)`,
      );
    }
    return resolved;
  } catch (error) {
    // One line, then stop: config errors are the user's to fix.
    exitIfOperatorError(error, ConfigError);
  }
}

let config = resolveConfig();

/** The host a browser on this machine reaches the dashboard by (an IPv6 literal in brackets). */
function callbackHost(host: string): string {
  if (!isLoopbackHost(host)) return "127.0.0.1";
  return host.includes(":") ? `[${host}]` : host;
}

const redactor = createRedactor();
redactor.add(config.apiToken);
redactor.add(config.setupToken);
redactor.add(config.adminPassword);
const bus = createMemoryBus();
// Every record at info or above also reaches the dashboards as `log://log` (already redacted).
const logForwarder = createLogForwarder(bus, { tenantId: LOCAL_TENANT });
// A person at a terminal reads one line with the URL (and warnings); pipelines get JSON lines.
const json = wantsJsonLogs(config.logFormat, {
  args: Deno.args,
  isTerminal: Deno.stdout.isTerminal(),
});
// The file a creator can send when asking for help: the same redacted lines as stdout.
const logFile = await openRotatingLogFile(config.logDir);
const logger = createLogger({
  level: config.logLevel,
  redactor,
  base: { mode: "desktop" },
  onRecord: logForwarder.onRecord,
  ...(json ? {} : { destination: terminalDestination() }),
  file: logFile,
});
// 0700, and what in it is ours 0600: any local user could otherwise read the key file and
// the databases (and mint an admin token from auth.db).
await secureDataDir(config.dataDir);
// One root key for secrets at rest, handed to both services that keep secrets.
const rootKeys = await openRootKeys(keySourceFromConfig(config)).catch((error) =>
  exitIfOperatorError(error, SecretKeyError)
);

// One SQLite file per service: services never read each other's tables.
const dbs = {
  profiles: openSqlite(`${config.dataDir}/profiles.db`),
  events: openSqlite(`${config.dataDir}/events.db`),
  auth: openSqlite(`${config.dataDir}/auth.db`),
};
// The encoder's desired state, durable: after a crash the next start reopens the ingest and
// resumes the groups that were live. Held exclusively: a second host here is refused.
const leases = await openDesktopLeaseStore(`${config.dataDir}/encoder.db`, { rootKeys, logger })
  .catch((error) => exitIfOperatorError(error, AppError));
const services: HostedService[] = [
  await startProfilesService({
    bus,
    db: dbs.profiles,
    logger,
    redactor,
    rootKeys,
    dataDir: config.dataDir,
    homeDir: Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? null,
    keyEnvAllow: config.keyEnvAllow,
    profilesPath: `${config.dataDir}/profiles.db`,
    webhookBase: config.webhookBase,
    chat: chatOptions(config),
    oauth: {
      ...(() => {
        try {
          return oauthConfigFromEnv(env);
        } catch (error) {
          exitIfOperatorError(error, ConfigError);
        }
      })(),
      // The provider sends the browser back to this dashboard (its port is known once resolved).
      defaultRedirect: () => `http://${callbackHost(config.host)}:${config.port}/oauth/callback`,
    },
  }),
];
// The profiles service knows the last profile's backend settings: they sit between the
// environment and the defaults for the bind address, port and token (SpiritStream §3.2).
config = resolveConfig(await readStoredBackend(bus));
redactor.add(config.apiToken);
services.push(
  await startEncoderService({
    bus,
    logger,
    redactor,
    config,
    // `${NAME}` stream keys resolve from this snapshot; one worker runs every stream.
    env: Deno.env.toObject(),
    leases: leases.store,
    // Tenants and their quotas exist in users mode only (token mode has one tenant, no quotas).
    enforceQuotas: config.authMode === "users",
  }).catch((error) => exitIfOperatorError(error, ConfigError)),
  await startEventsService({
    bus,
    db: dbs.events,
    logger,
    redactor,
    dataDir: config.dataDir,
    homeDir: Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? null,
  }),
  // Token mode by default: sessions live in auth.db, the gateway asks over the in-process bus.
  await startAuthService({
    bus,
    db: dbs.auth,
    logger,
    ...await authSettingsFromConfig(config),
    rootKeys,
  }).catch((error) => exitIfOperatorError(error, SigningKeyError)),
);
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
  // A quit on purpose ends the show: nothing goes live on the next launch (a crash resumes).
  await leases.clear();
  for (const service of services.reverse()) await service.close();
  await leases.close();
  for (const db of Object.values(dbs)) await db.close();
  await logForwarder.close();
  await bus.close();
  logger.info("Stopped");
  await logFile.close();
});
