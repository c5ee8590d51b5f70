/** The encoder service alone over NATS. */
import { bootstrap } from "@spiritstream/host";
import { startEncoderService } from "./service.ts";

const { bus, logger, onStop } = await bootstrap("encoder");
const service = await startEncoderService({ bus, logger });
onStop(() => service.close());
logger.info("Encoder service is ready");
