/** The profiles service alone over NATS, with PostgreSQL when SPIRITSTREAM_DATABASE_URL is set. */
import { bootstrap } from "@spiritstream/host";
import { exitIfOperatorError } from "@spiritstream/kit";
import { keySourceFromConfig, SecretKeyError } from "./mod.ts";
import { startProfilesService } from "./service.ts";

const { bus, config, logger, redactor, openDb, onStop, ready } = await bootstrap("profiles");
if (config.databaseUrl && !config.secretKey && !config.secretKeyFile) {
  // Replicas sharing a database must share the root key: a file per container would not.
  logger.warn(
    "SPIRITSTREAM_SECRET_KEY is not set: secrets use a key file in the data dir, which every replica must share",
  );
}
const service = await startProfilesService({
  bus,
  db: openDb("profiles"),
  logger,
  redactor,
  keySource: keySourceFromConfig(config),
  dataDir: config.dataDir,
  homeDir: Deno.env.get("HOME") ?? null,
  profilesPath: config.databaseUrl
    ? "PostgreSQL (SPIRITSTREAM_DATABASE_URL)"
    : `${config.dataDir}/profiles.db`,
  webhookBase: config.webhookBase,
}).catch((error) => exitIfOperatorError(error, SecretKeyError));
onStop(() => service.close());
ready("Profiles service is ready");
