import type { SsoDiscovery } from "@spiritstream/contracts";

/**
 * `GET /auth/sso/discover`: whether the tenant (by slug, or by the email's domain) signs in
 * with an identity provider; null when no tenant matches or the server cannot tell.
 */
export async function discoverSso(
  query: { tenant?: string; email?: string },
): Promise<SsoDiscovery | null> {
  const params = new URLSearchParams();
  if (query.tenant) params.set("tenant", query.tenant);
  if (query.email) params.set("email", query.email);
  if ([...params].length === 0) return null;
  try {
    const res = await fetch(`/auth/sso/discover?${params}`, { credentials: "same-origin" });
    if (!res.ok) return null;
    const body = await res.json() as SsoDiscovery | null;
    return body && typeof body === "object" && typeof body.passwordLogin === "boolean"
      ? body
      : null;
  } catch {
    return null;
  }
}

/** Where "Sign in with <provider>" goes (a full-page navigation to the identity provider). */
export function ssoStartUrl(tenant: string): string {
  return `/auth/sso/start?tenant=${encodeURIComponent(tenant)}`;
}
