/** The auth service alone over NATS, with PostgreSQL when SPIRITSTREAM_DATABASE_URL is set. */
import { bootstrap } from "@spiritstream/host";
import { exitIfOperatorError } from "@spiritstream/kit";
import { SigningKeyError } from "./access_token_signer.ts";
import { authSettingsFromConfig, startAuthService } from "./service.ts";

const { bus, logger, config, redactor, openDb, onStop, ready } = await bootstrap("auth");
redactor.add(config.setupToken);
redactor.add(config.adminPassword);
const service = await startAuthService({
  bus,
  db: openDb("auth"),
  logger,
  ...await authSettingsFromConfig(config),
}).catch((error) => exitIfOperatorError(error, SigningKeyError));
onStop(() => service.close());
ready("Auth service is ready", { mode: config.authMode });
