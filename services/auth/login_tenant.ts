import type { AuthContext } from "./auth_context.ts";
import type { UserRecord } from "./auth_store.ts";

/** Whom a password login is for, or why it cannot even be tried. */
export type LoginTarget =
  | { ok: true; user: UserRecord | null; tenantId: string | null; tenantKnown: boolean }
  | { ok: false; error: string; invalid: boolean };

/**
 * Picks the tenant of a password login: the slug when one is given, else the tenant that claims
 * the email's domain if the email has an account there, else the one tenant where it has one. The same email in
 * two unlisted tenants needs the slug. `tenantKnown`: found by slug or domain (not by account),
 * so saying that the tenant refuses passwords tells nothing about the account.
 */
export async function findLoginTarget(
  ctx: AuthContext,
  login: { email: string; tenant?: string | undefined },
): Promise<LoginTarget> {
  const email = login.email.trim().toLowerCase();
  if (login.tenant !== undefined && login.tenant.trim() !== "") {
    const tenantId = await ctx.signIn.tenantBySlug(login.tenant);
    if (tenantId === null) {
      return {
        ok: false,
        error: 'Invalid argument "tenant": no tenant has that slug',
        invalid: true,
      };
    }
    return {
      ok: true,
      user: await ctx.store.userByEmail(tenantId, email),
      tenantId,
      tenantKnown: true,
    };
  }
  const domain = email.split("@").pop() ?? "";
  const byDomain = domain === "" ? null : await ctx.signIn.tenantByDomain(domain);
  const inDomainTenant = byDomain === null ? null : await ctx.store.userByEmail(byDomain, email);
  if (byDomain !== null && inDomainTenant !== null) {
    return { ok: true, user: inDomainTenant, tenantId: byDomain, tenantKnown: true };
  }
  // No account there: domains are claimed by tenant admins, so a tenant claiming someone
  // else's domain must not lock that domain's users out of the tenants they are in.
  const users = await ctx.store.usersByEmail(email);
  if (users.length > 1) {
    return {
      ok: false,
      error: 'This email has accounts in several tenants: give the tenant ("tenant": its slug)',
      invalid: true,
    };
  }
  const user = users[0] ?? null;
  return { ok: true, user, tenantId: user?.tenantId ?? null, tenantKnown: false };
}

/** The refusal when the tenant signs in with its identity provider only. */
export async function passwordLoginOff(
  ctx: AuthContext,
  tenantId: string,
): Promise<string | null> {
  const settings = await ctx.signIn.get(tenantId);
  if (settings.passwordLogin) return null;
  const provider = settings.oidc?.displayName ?? "the identity provider";
  return `Password sign-in is turned off for this tenant: use "Sign in with ${provider}"`;
}
