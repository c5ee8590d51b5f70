/** The auth service alone over NATS. */
import { bootstrap } from "@spiritstream/host";
import { startAuthService } from "./service.ts";

const { bus, logger, onStop } = await bootstrap("auth");
const service = await startAuthService({ bus, logger });
onStop(() => service.close());
logger.info("Auth service is ready");
