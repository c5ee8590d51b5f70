/** The auth service alone over NATS, with PostgreSQL when SPIRITSTREAM_DATABASE_URL is set. */
import { bootstrap } from "@spiritstream/host";
import { exitIfOperatorError } from "@spiritstream/kit";
import { SigningKeyError } from "./access_token_signer.ts";
import { authSettingsFromConfig, startAuthService } from "./service.ts";

const { bus, logger, config, redactor, openDb, rootKeys, onStop, ready } = await bootstrap(
  "auth",
  { dataDir: true },
);
if (config.databaseUrl && !config.secretKey && !config.secretKeyFile) {
  // Replicas sharing a database must share the root key: a file per container would not.
  logger.warn(
    "SPIRITSTREAM_SECRET_KEY is not set: the signing key is sealed with a key file in the data dir, which every replica must share",
  );
}
redactor.add(config.setupToken);
redactor.add(config.adminPassword);
const service = await startAuthService({
  bus,
  db: openDb("auth"),
  logger,
  ...await authSettingsFromConfig(config),
  // The signing key is sealed at rest with the root key the profiles service uses.
  rootKeys: await rootKeys(),
}).catch((error) => exitIfOperatorError(error, SigningKeyError));
onStop(() => service.close());
ready("Auth service is ready", { mode: config.authMode });
