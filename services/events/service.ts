import { COMMANDS } from "@spiritstream/contracts";
import { type Bus, type HostedService, hostService } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";

/** What the events service is built from. */
export interface EventsServiceDeps {
  bus: Bus;
  logger: Logger;
}

/** Serves the events commands; until its issue lands every one answers "Not implemented yet". */
export async function startEventsService(deps: EventsServiceDeps): Promise<HostedService> {
  const service = hostService(deps.bus, "events", {
    catalogue: COMMANDS,
    logger: deps.logger.child({ service: "events" }),
    handlers: {},
  });
  await service.ready;
  return service;
}
