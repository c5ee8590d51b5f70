/** The profiles service alone over NATS, with PostgreSQL when SPIRITSTREAM_DATABASE_URL is set. */
import { bootstrap } from "@spiritstream/host";
import { ConfigError, exitIfOperatorError } from "@spiritstream/kit";
import { oauthConfigFromEnv } from "./oauth/mod.ts";
import { startProfilesService } from "./service.ts";
import { chatOptions } from "./chat/mod.ts";

const { bus, config, logger, redactor, openDb, rootKeys, onStop, ready } = await bootstrap(
  "profiles",
  { dataDir: true },
);
if (config.databaseUrl && !config.secretKey && !config.secretKeyFile) {
  // Replicas sharing a database must share the root key: a file per container would not.
  logger.warn(
    "SPIRITSTREAM_SECRET_KEY is not set: secrets use a key file in the data dir, which every replica must share",
  );
}
// A server's sign-in comes back to SPIRITSTREAM_OAUTH_REDIRECT_URL (no default there).
const oauth = (() => {
  try {
    return oauthConfigFromEnv(Deno.env.toObject());
  } catch (error) {
    exitIfOperatorError(error, ConfigError);
  }
})();
const service = await startProfilesService({
  bus,
  db: openDb("profiles"),
  logger,
  redactor,
  rootKeys: await rootKeys(),
  dataDir: config.dataDir,
  homeDir: Deno.env.get("HOME") ?? null,
  keyEnvAllow: config.keyEnvAllow,
  profilesPath: config.databaseUrl
    ? "PostgreSQL (SPIRITSTREAM_DATABASE_URL)"
    : `${config.dataDir}/profiles.db`,
  webhookBase: config.webhookBase,
  chat: chatOptions(config),
  oauth,
});
onStop(() => service.close());
ready("Profiles service is ready");
