/** The events service alone over NATS. */
import { bootstrap } from "@spiritstream/host";
import { startEventsService } from "./service.ts";

const { bus, logger, onStop } = await bootstrap("events");
const service = await startEventsService({ bus, logger });
onStop(() => service.close());
logger.info("Events service is ready");
