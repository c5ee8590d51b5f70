import type { Logger } from "@spiritstream/kit";
import type { StreamCoordinator } from "./stream_coordinator.ts";

/**
 * The engine ended a tenant's stream by itself (max standby): its groups leave the desired state
 * too, so neither this worker nor one taking the lease over starts them again.
 */
export async function forgetEndedStream(
  coordinator: StreamCoordinator,
  { tenantId, logger }: { tenantId: string; logger: Logger },
): Promise<void> {
  try {
    await coordinator.changeDesired(
      tenantId,
      (current) => current && { ...current, groups: {}, retries: {} },
    );
  } catch (error) {
    logger.warn({ err: error }, "Forgetting the ended stream failed");
  }
}
