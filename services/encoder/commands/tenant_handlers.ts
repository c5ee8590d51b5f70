import {
  AppError,
  type COMMANDS,
  describeZodError,
  NO_QUOTAS,
  purgeTenantSubject,
  STOP_TENANT_STREAMS_SUBJECT,
  type TenantPurge,
  TenantRef,
} from "@spiritstream/contracts";
import type { Bus, CommandHandler, Subscription } from "@spiritstream/bus";
import type { StreamCoordinator } from "../coordinator/stream_coordinator.ts";
import type { StreamRequests } from "./stream_requests.ts";
import { type TenantLimitsSource, usageOf } from "./tenant_quotas.ts";

/** What the encoder's tenant parts use. */
export interface TenantHandlerDeps {
  bus: Bus;
  coordinator: StreamCoordinator;
  requests: StreamRequests;
  tenantLimits?: TenantLimitsSource | null;
}

/** `get_tenant_usage`: the tenant's quotas and what it runs now. */
export function tenantUsageHandler(
  deps: TenantHandlerDeps,
): { get_tenant_usage: CommandHandler<(typeof COMMANDS)["get_tenant_usage"]> } {
  return {
    async get_tenant_usage(args, meta) {
      const tenantId = args.tenantId ?? meta.tenantId;
      if (tenantId !== meta.tenantId && meta.hostOperator !== true) {
        // Another tenant's usage is the host operator's to see; say nothing about whether it exists.
        throw new AppError(
          "permission_denied",
          'Invalid argument "tenantId": only the host operator may see another tenant\'s usage',
        );
      }
      const limits = deps.tenantLimits ? await deps.tenantLimits(tenantId) : null;
      return {
        tenantId,
        quotas: limits?.quotas ?? NO_QUOTAS,
        usage: usageOf(await deps.coordinator.readDesired(tenantId)),
      };
    },
  };
}

/**
 * The auth service's internal requests: stop a suspended tenant's streams, and purge a deleted
 * tenant (its streams stop, its desired state and target switches go).
 */
export function serveTenantLifecycle(deps: TenantHandlerDeps): Subscription[] {
  const { bus, coordinator, requests } = deps;
  const stop = bus.serve(STOP_TENANT_STREAMS_SUBJECT, async (data) => {
    const { tenantId } = parseRef(data);
    await requests.stopAll(tenantId);
    return null;
  }, { queue: "encoder-internal" });
  const purge = bus.serve(purgeTenantSubject("encoder"), async (data): Promise<TenantPurge> => {
    const { tenantId } = parseRef(data);
    const groups = usageOf(await coordinator.readDesired(tenantId)).liveGroups;
    await requests.stopAll(tenantId);
    const disabled = (await coordinator.readFlags(tenantId)).disabled.length;
    // Every key of the tenant goes from the lease store (NATS KV, memory or the desktop's file).
    const storeKeys = await coordinator.purgeKeys(tenantId);
    return { removed: { live_groups: groups, target_switches: disabled, store_keys: storeKeys } };
  }, { queue: "encoder-internal" });
  return [stop, purge];
}

function parseRef(data: unknown): TenantRef {
  const parsed = TenantRef.safeParse(data);
  if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
  return parsed.data;
}
