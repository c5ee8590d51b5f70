import {
  AppError,
  type OutputGroup,
  TENANT_LIMITS_SUBJECT,
  TenantLimits,
  type TenantQuotas,
  type TenantUsageCounts,
} from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import type { DesiredState } from "../coordinator/desired_state.ts";
import { isPassthrough } from "../engine/is_passthrough.ts";

/** Where the encoder learns a tenant's quotas and state (the auth service owns them). */
export type TenantLimitsSource = (tenantId: string) => Promise<TenantLimits>;

/** Asks the auth service over the bus (`TENANT_LIMITS_SUBJECT`). */
export function busTenantLimits(bus: Bus, timeoutMs = 5_000): TenantLimitsSource {
  return async (tenantId) =>
    TenantLimits.parse(await bus.request(TENANT_LIMITS_SUBJECT, { tenantId }, { timeoutMs }));
}

/** What a desired state runs, in the units of the quotas. */
export function usageOf(desired: DesiredState | null): TenantUsageCounts {
  const groups = Object.values(desired?.groups ?? {}).map((entry) => entry.group);
  return usageOfGroups(groups);
}

/** Counts groups, targets, re-encode groups and their declared output bitrate. */
export function usageOfGroups(groups: readonly OutputGroup[]): TenantUsageCounts {
  let targets = 0;
  let reencodeGroups = 0;
  let outputBitrateKbps = 0;
  for (const group of groups) {
    targets += group.streamTargets.length;
    if (isPassthrough(group)) continue;
    reencodeGroups += 1;
    const perTarget = kbps(group.video.codec === "copy" ? "0" : group.video.bitrate) +
      kbps(group.audio.codec === "copy" ? "0" : group.audio.bitrate);
    outputBitrateKbps += perTarget * group.streamTargets.length;
  }
  return { liveGroups: groups.length, targets, reencodeGroups, outputBitrateKbps };
}

const QUOTA_WORDS: Record<keyof TenantQuotas, string> = {
  liveGroups: "live output groups",
  targets: "stream targets",
  reencodeGroups: "re-encode groups",
  outputBitrateKbps: "kbps of declared output bitrate",
};

/**
 * Refuses (400, naming the quota) when the state a start would lead to goes beyond a quota, or
 * when the tenant is suspended.
 */
export function admit(
  limits: Pick<TenantLimits, "quotas" | "suspended">,
  next: DesiredState | null,
): void {
  if (limits.suspended) {
    throw new AppError("permission_denied", "Permission denied: this tenant is suspended");
  }
  const usage = usageOf(next);
  for (const name of Object.keys(QUOTA_WORDS) as (keyof TenantQuotas)[]) {
    const limit = limits.quotas[name];
    if (limit === null || usage[name] <= limit) continue;
    throw new AppError(
      "invalid_argument",
      `Quota exceeded: "${name}" allows ${limit} ${
        QUOTA_WORDS[name]
      } for this tenant; this start needs ${usage[name]}`,
    );
  }
}

/** `"6000k"` → 6000, `"8M"` → 8000, `"128000"` (bits) → 128. */
function kbps(bitrate: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(bitrate.trim());
  if (!match) return 0;
  const value = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  return Math.round(unit === "m" ? value * 1000 : unit === "k" ? value : value / 1000);
}
