/** The profiles service alone over NATS, with PostgreSQL when SPIRITSTREAM_DATABASE_URL is set. */
import { bootstrap } from "@spiritstream/host";
import { startProfilesService } from "./service.ts";

const { bus, logger, openDb, onStop } = await bootstrap("profiles");
const service = await startProfilesService({ bus, db: openDb("profiles"), logger });
onStop(() => service.close());
logger.info("Profiles service is ready");
