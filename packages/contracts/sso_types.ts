import { z } from "zod";
import { Role } from "./bus_messages.ts";

/* How a tenant signs in (ours): its slug and email domains (login picks the tenant from them),
 * password sign-in on or off, and its OpenID Connect identity provider. */

/** A tenant's short name in sign-in links (`/auth/sso/start?tenant=<slug>`). */
export const TenantSlug = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, {
    message: 'slug must be 1-40 lowercase letters, digits or "-", not starting or ending with "-"',
  });

/** An email domain a tenant claims (`example.com`), compared in lower case. */
export const EmailDomain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253, { message: "domain must be at most 253 characters" })
  .regex(
    /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/,
    {
      message: "domain must look like example.com (no @, no scheme)",
    },
  );

/** A claim name of the id_token (`email`, `groups`, `https://example.com/roles`). */
const ClaimName = z
  .string()
  .trim()
  .min(1, { message: "claim name must not be empty" })
  .max(256, { message: "claim name must be at most 256 characters" });

/**
 * The issuer URL exactly as the provider's discovery document and id_tokens spell it: https, or
 * http on a loopback address only (a local test provider); no query, no fragment.
 */
export const IssuerUrl = z
  .string()
  .trim()
  .max(2048, { message: "issuer must be at most 2048 characters" })
  .superRefine((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: "custom", message: "issuer must be an absolute URL" });
      return;
    }
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
      ctx.addIssue({ code: "custom", message: "issuer must use https (http only on loopback)" });
    }
    if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
      ctx.addIssue({
        code: "custom",
        message: "issuer must not carry a query, a fragment or credentials",
      });
    }
  });

/** One group of the groups claim and the role its members get. */
export const GroupRole = z.object({
  group: z.string().trim().min(1, { message: "group must not be empty" }).max(256),
  role: Role,
});
export type GroupRole = z.infer<typeof GroupRole>;

const OidcFields = {
  /** Shown on the login screen: "Sign in with <displayName>". */
  displayName: z.string().trim().min(1, { message: "display name must not be empty" }).max(60),
  issuer: IssuerUrl,
  clientId: z.string().trim().min(1, { message: "client id must not be empty" }).max(512),
  /** Scopes asked for; must include `openid`. */
  scopes: z
    .string()
    .trim()
    .max(512)
    .default("openid email profile")
    .refine((s) => s.split(/\s+/).includes("openid"), { message: 'scopes must include "openid"' }),
  /** The id_token claim that holds the user's email. */
  emailClaim: ClaimName.default("email"),
  /** The id_token claim that lists the user's groups; null: roles come from `defaultRole`. */
  groupsClaim: ClaimName.nullable().default("groups"),
  /** First matching role wins the highest rank (admin > operator > viewer). */
  groupRoles: z.array(GroupRole).max(100).default([]),
  /** The role of a user none of whose groups is listed; null refuses them. */
  defaultRole: Role.nullable().default(null),
  /** Creates the account on first sign-in (just in time). */
  jit: z.boolean().default(false),
  /** Refuses an id_token whose `email_verified` is not true. */
  requireVerifiedEmail: z.boolean().default(true),
};

/** The identity provider as the tenant admin sets it (the client secret is write-only). */
export const OidcSettingsInput = z.object({
  ...OidcFields,
  /** Absent: keep the stored secret (the settings screen never sees it). */
  clientSecret: z.string().min(1, { message: "client secret must not be empty" }).max(2048)
    .optional(),
});
export type OidcSettingsInput = z.input<typeof OidcSettingsInput>;

/** The identity provider as the tenant admin reads it back. */
export const OidcSettingsView = z.object({ ...OidcFields, clientSecretSet: z.boolean() });
export type OidcSettingsView = z.infer<typeof OidcSettingsView>;

const SignInFields = {
  /** Null: the tenant is found by email domain (or the email's only account) alone. */
  slug: TenantSlug.nullable().default(null),
  domains: z.array(EmailDomain).max(50).default([]),
  /** False: only the identity provider signs this tenant's users in. */
  passwordLogin: z.boolean().default(true),
};

function oidcNeededWithoutPasswords(
  value: { passwordLogin: boolean; oidc: unknown; slug: string | null },
  ctx: z.RefinementCtx,
) {
  if (value.oidc !== null && value.slug === null) {
    ctx.addIssue({
      code: "custom",
      path: ["slug"],
      message: "slug is needed with an identity provider (the sign-in link names it)",
    });
  }
  if (!value.passwordLogin && value.oidc === null) {
    ctx.addIssue({
      code: "custom",
      path: ["passwordLogin"],
      message: "password sign-in can only be turned off when an identity provider is set",
    });
  }
}

/** Args of `set_sign_in_settings`. */
export const SignInSettingsInput = z
  .object({ ...SignInFields, oidc: OidcSettingsInput.nullable().default(null) })
  .superRefine(oidcNeededWithoutPasswords);
export type SignInSettingsInput = z.input<typeof SignInSettingsInput>;

/** Result of `get_sign_in_settings` and `set_sign_in_settings`. */
export const SignInSettings = z.object({
  ...SignInFields,
  /** Of `domains`, those the host operator has not approved yet: login does not use them. */
  pendingDomains: z.array(z.string()).default([]),
  oidc: OidcSettingsView.nullable(),
});
export type SignInSettings = z.infer<typeof SignInSettings>;

/** What the login screen learns of a tenant (by slug or email): public on purpose. */
export const SsoDiscovery = z.object({
  /** The tenant's slug (for `/auth/sso/start?tenant=`), or null when it has none. */
  tenant: z.string().nullable(),
  /** "Sign in with <provider>"; null when the tenant has no identity provider. */
  provider: z.string().nullable(),
  passwordLogin: z.boolean(),
});
export type SsoDiscovery = z.infer<typeof SsoDiscovery>;

/**
 * An email domain a tenant admin listed: it picks that tenant at login (and offers its identity
 * provider) only once the host operator approved it, so no tenant can claim another's domain.
 */
export const DomainClaim = z.object({
  tenantId: z.string(),
  domain: z.string(),
  requestedAt: z.number(),
  requestedBy: z.string().nullable(),
});
export type DomainClaim = z.infer<typeof DomainClaim>;
