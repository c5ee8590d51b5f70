import { LOCAL_TENANT, type Role } from "@spiritstream/contracts";

/**
 * Whether a principal is the host operator (holds the `host` permission). The install's first
 * tenant (`LOCAL_TENANT`: the one setup creates and token mode uses) owns the host, so its admins
 * operate it; admins of tenants made later administer their tenant only. The one place this
 * rule lives: principals and access tokens carry the answer.
 */
export function isHostOperator(who: { tenantId: string; role: Role | null }): boolean {
  return who.role === "admin" && who.tenantId === LOCAL_TENANT;
}
