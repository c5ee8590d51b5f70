/** The events service alone over NATS, with PostgreSQL when SPIRITSTREAM_DATABASE_URL is set. */
import { bootstrap } from "@spiritstream/host";
import { startEventsService } from "./service.ts";

const { bus, logger, config, openDb, onStop, ready } = await bootstrap("events", {
  dataDir: true,
});
const service = await startEventsService({
  bus,
  db: openDb("events"),
  logger,
  dataDir: config.dataDir,
  homeDir: Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? null,
});
onStop(() => service.close());
ready("Events service is ready");
