import { AppError, describeZodError, INTERNAL } from "@spiritstream/contracts";
import type { Bus, Subscription } from "@spiritstream/bus";
import type { ProfileVault } from "./profile_vault.ts";

const { subject, request, reply } = INTERNAL.resolveStreamKeys;

/**
 * Answers the encoder's request for the real keys of targets a client sent masked. Only this
 * service holds keys; a protected profile's keys resolve only while it is unlocked.
 */
export function serveResolveStreamKeys(bus: Bus, vault: ProfileVault): Subscription {
  return bus.serve(subject, async (data) => {
    const parsed = request.safeParse(data);
    if (!parsed.success) throw new AppError("invalid_argument", describeZodError(parsed.error));
    const { tenantId, targetIds } = parsed.data;
    const wanted = new Set(targetIds);
    const keys: Record<string, string> = {};
    const protectedTargets = new Set<string>();
    for (const name of await vault.names(tenantId)) {
      let profile;
      try {
        profile = await vault.load(tenantId, name);
      } catch {
        continue; // locked or unreadable: its keys stay unresolved
      }
      for (const target of profile.outputGroups.flatMap((g) => g.streamTargets)) {
        if (wanted.has(target.id) && target.streamKey) keys[target.id] = target.streamKey;
        if (wanted.has(target.id) && profile.encrypted) protectedTargets.add(target.id);
      }
    }
    return reply.parse({ keys, protectedTargets: [...protectedTargets] });
  }, { queue: "profiles-internal" });
}
