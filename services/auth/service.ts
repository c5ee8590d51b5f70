import { COMMANDS } from "@spiritstream/contracts";
import { type Bus, type HostedService, hostService } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";

/** What the auth service is built from. */
export interface AuthServiceDeps {
  bus: Bus;
  logger: Logger;
}

/** Serves the auth commands; until its issue lands every one answers "Not implemented yet". */
export async function startAuthService(deps: AuthServiceDeps): Promise<HostedService> {
  const service = hostService(deps.bus, "auth", {
    catalogue: COMMANDS,
    logger: deps.logger.child({ service: "auth" }),
    handlers: {},
  });
  await service.ready;
  return service;
}
