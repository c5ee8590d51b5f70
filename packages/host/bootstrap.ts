import { LOCAL_TENANT } from "@spiritstream/contracts";
import { type Bus, createLogForwarder, type LogForwarder } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import {
  type Config,
  ConfigError,
  createLogger,
  createRedactor,
  exitIfOperatorError,
  keySourceFromConfig,
  loadConfig,
  type Logger,
  onShutdown,
  openRootKeys,
  openRotatingLogFile,
  readSecretFiles,
  type Redactor,
  type RootKeys,
  type SecretFiles,
  SecretKeyError,
  secureDataDir,
} from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import { openSqlite } from "@spiritstream/store/sqlite";
import { type MetricsSource, type ReadyDetails, serveProbes } from "./serve_probes.ts";

/** What a standalone service process starts from. */
export interface Bootstrapped {
  config: Config;
  logger: Logger;
  redactor: Redactor;
  bus: Bus;
  /** This service's store: PostgreSQL when SPIRITSTREAM_DATABASE_URL is set, else SQLite in the data dir. */
  openDb(service: string): Db;
  /**
   * The root keys of secrets at rest: SPIRITSTREAM_SECRET_KEY(_FILE), else the machine key file
   * in the data dir. Prints one line and exits when the configured key is invalid.
   */
  rootKeys(): Promise<RootKeys>;
  /** Registers what to stop on SIGINT/SIGTERM (the bus is closed last). */
  onStop(stop: () => Promise<void>): void;
  /**
   * Adds Prometheus text to the probe server's `/metrics` (SPIRITSTREAM_HEALTH_PORT), read at
   * each scrape: what this one process does, for Prometheus and the autoscaler.
   */
  addMetrics(source: MetricsSource): void;
  /** Adds fields to the probe server's `/ready` JSON (what this process runs), read at each probe. */
  addReadyDetails(details: ReadyDetails): void;
  /** Says the process serves (its commands are subscribed): logs `message`; `/ready` may pass. */
  ready(message: string, fields?: Record<string, unknown>): void;
}

/** Options for {@linkcode bootstrap}. */
export interface BootstrapOptions {
  /**
   * The service may keep files in the data dir (SQLite without SPIRITSTREAM_DATABASE_URL, the
   * machine key file without SPIRITSTREAM_SECRET_KEY): when it does, the dir is created 0700 and
   * what in it is ours loses group and other access. @default false
   */
  dataDir?: boolean;
  /** How long the stops registered with `onStop` may take in all before the process exits. @default 10000 */
  stopTimeoutMs?: number;
}

/**
 * Composition root of one service running alone over NATS (compose, k8s, `deno task stack`).
 * Prints one line and exits on invalid config or a missing SPIRITSTREAM_NATS_URL.
 */
export async function bootstrap(
  name: string,
  options: BootstrapOptions = {},
): Promise<Bootstrapped> {
  let config: Config;
  let secretFiles: SecretFiles = { values: {}, warnings: [] };
  try {
    // Compose secrets / mounted Secrets: SPIRITSTREAM_X_FILE stands for SPIRITSTREAM_X in this
    // process (readers past loadConfig, such as the OAuth settings, see the value too).
    secretFiles = readSecretFiles(Deno.env.toObject());
    for (const [name, value] of Object.entries(secretFiles.values)) Deno.env.set(name, value);
    config = loadConfig(Deno.env.toObject());
    if (!config.natsUrl) {
      throw new ConfigError(
        "SPIRITSTREAM_NATS_URL",
        `must be set to run the ${name} alone (e.g. nats://127.0.0.1:4222)`,
      );
    }
  } catch (error) {
    exitIfOperatorError(error, ConfigError);
  }
  const keyFile = !config.secretKey && !config.secretKeyFile;
  if (options.dataDir && (!config.databaseUrl || keyFile)) await secureDataDir(config.dataDir);
  const redactor = createRedactor();
  redactor.add(config.apiToken);
  for (const value of Object.values(secretFiles.values)) redactor.add(value);
  // The bus needs the logger, so records find the forwarder once both exist.
  const forward: { to: LogForwarder | null } = { to: null };
  // A container logs to stdout; with SPIRITSTREAM_LOG_DIR set, each process also keeps its file.
  const logFile = Deno.env.get("SPIRITSTREAM_LOG_DIR")
    ? await openRotatingLogFile(config.logDir, { name: `${name}-${config.instanceId}.log` })
    : null;
  const logger = createLogger({
    level: config.logLevel,
    redactor,
    base: { service: name, instance: config.instanceId },
    onRecord: (record) => forward.to?.onRecord(record),
    file: logFile ?? undefined,
  });
  for (const warning of secretFiles.warnings) logger.warn(warning);
  const bus = await createNatsBus({
    servers: config.natsUrl!,
    name: `${name}-${config.instanceId}`,
    logger,
    stream: { replicas: config.natsReplicas },
  });
  // Every record at info or above also reaches the dashboards as `log://log` (already redacted).
  forward.to = createLogForwarder(bus, { tenantId: LOCAL_TENANT });
  const stops: (() => Promise<void>)[] = [];
  const dbs: Db[] = [];
  const metrics: MetricsSource[] = [];
  const details: ReadyDetails[] = [];
  let started = false;
  const probes = config.healthPort === null ? null : await serveProbes({
    hostname: config.host,
    port: config.healthPort,
    bus,
    dbs,
    started: () => started,
    metrics,
    details,
  });
  onShutdown(logger, async () => {
    await probes?.shutdown();
    for (const stop of stops.reverse()) await stop();
    for (const db of dbs) await db.close();
    await forward.to?.close();
    await bus.close();
    await logFile?.close();
  }, { timeoutMs: options.stopTimeoutMs });
  return {
    config,
    logger,
    redactor,
    bus,
    openDb(service) {
      const db = config.databaseUrl
        ? openPostgres(config.databaseUrl)
        : openSqlite(`${config.dataDir}/${service}.db`);
      dbs.push(db);
      return db;
    },
    async rootKeys() {
      return await openRootKeys(keySourceFromConfig(config)).catch((error) =>
        exitIfOperatorError(error, SecretKeyError)
      );
    },
    onStop: (stop) => void stops.push(stop),
    addMetrics: (source) => void metrics.push(source),
    addReadyDetails: (source) => void details.push(source),
    ready(message, fields = {}) {
      started = true;
      logger.info(fields, message);
    },
  };
}
