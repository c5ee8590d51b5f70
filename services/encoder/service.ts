import { COMMANDS } from "@spiritstream/contracts";
import { type Bus, type HostedService, hostService } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";

/** What the encoder service is built from. */
export interface EncoderServiceDeps {
  bus: Bus;
  logger: Logger;
}

/** Serves the encoder commands; until its issue lands every one answers "Not implemented yet". */
export async function startEncoderService(deps: EncoderServiceDeps): Promise<HostedService> {
  const service = hostService(deps.bus, "encoder", {
    catalogue: COMMANDS,
    logger: deps.logger.child({ service: "encoder" }),
    handlers: {},
  });
  await service.ready;
  return service;
}
