import {
  AppError,
  describeZodError,
  purgeTenantSubject,
  type ServiceName,
  type TenantPurge,
  TenantRef,
} from "@spiritstream/contracts";
import type { Bus, Subscription } from "./bus.ts";

/**
 * Answers the auth service's `purge_tenant` request for one service: `purge` removes every row
 * of the tenant from that service's own tables and answers the counts.
 */
export function serveTenantPurge(
  bus: Bus,
  service: ServiceName,
  purge: (tenantId: string) => Promise<Record<string, number>>,
): Subscription {
  return bus.serve(purgeTenantSubject(service), async (data): Promise<TenantPurge> => {
    const parsed = TenantRef.safeParse(data);
    if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
    return { removed: await purge(parsed.data.tenantId) };
  }, { queue: `${service}-internal` });
}
