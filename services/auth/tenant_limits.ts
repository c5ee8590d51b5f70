import {
  AppError,
  describeZodError,
  NO_QUOTAS,
  TENANT_LIMITS_SUBJECT,
  TenantLimits,
  TenantRef,
} from "@spiritstream/contracts";
import type { Bus, Subscription } from "@spiritstream/bus";
import type { TenantStore } from "./tenant_store.ts";

/** Answers the encoder's question at a start: the tenant's quotas and whether it is suspended. */
export function serveTenantLimits(bus: Bus, tenants: TenantStore): Subscription {
  return bus.serve(TENANT_LIMITS_SUBJECT, async (data) => {
    const parsed = TenantRef.safeParse(data);
    if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
    const tenant = await tenants.tenant(parsed.data.tenantId);
    // A tenant known only by its users' ids (made before tenants had rows) has no limits.
    if (!tenant) {
      const users = await tenants.userCount(parsed.data.tenantId);
      return TenantLimits.parse({ quotas: NO_QUOTAS, suspended: false, exists: users > 0 });
    }
    return TenantLimits.parse({ quotas: tenant.quotas, suspended: tenant.suspendedAt !== null });
  }, { queue: "auth" });
}
