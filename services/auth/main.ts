/** The auth service alone over NATS, with PostgreSQL when SPIRITSTREAM_DATABASE_URL is set. */
import { bootstrap } from "@spiritstream/host";
import { readSecretKey } from "@spiritstream/kit";
import { SigningKeyError } from "./access_token_signer.ts";
import { startAuthService } from "./service.ts";

const { bus, logger, config, redactor, openDb, onStop, ready } = await bootstrap("auth");
redactor.add(config.setupToken);
redactor.add(config.adminPassword);
const service = await startAuthService({
  bus,
  db: openDb("auth"),
  logger,
  mode: config.authMode,
  apiToken: config.apiToken,
  setupToken: config.setupToken,
  admin: config.adminEmail && config.adminPassword
    ? { email: config.adminEmail, password: config.adminPassword }
    : null,
  secretKey: await readSecretKey(config),
}).catch((error) => {
  if (!(error instanceof SigningKeyError)) throw error;
  // deno-lint-ignore no-console
  console.error(error.message);
  Deno.exit(2);
});
onStop(() => service.close());
ready("Auth service is ready", { mode: config.authMode });
