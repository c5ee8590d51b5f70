import { z } from "zod";
import { defineCommand } from "../command.ts";
import { DomainClaim, EmailDomain, SignInSettings, SignInSettingsInput } from "../sso_types.ts";

const base = { group: "auth", service: "auth" } as const;

/** How the caller's tenant signs in: slug, email domains, passwords, identity provider (ours). */
export const SSO_COMMANDS = {
  get_sign_in_settings: defineCommand({
    ...base,
    name: "get_sign_in_settings",
    summary: "Returns how the tenant signs in (the client secret is never returned).",
    permission: "admin",
    args: z.object({}),
    result: SignInSettings,
  }),
  set_sign_in_settings: defineCommand({
    ...base,
    name: "set_sign_in_settings",
    summary:
      "Sets the tenant's slug, email domains, password sign-in and OpenID Connect identity provider.",
    permission: "admin",
    args: SignInSettingsInput,
    result: SignInSettings,
  }),
  list_domain_claims: defineCommand({
    ...base,
    name: "list_domain_claims",
    summary: "Lists the email domains tenants listed that wait for approval (host operator).",
    permission: "host",
    args: z.object({}),
    result: z.array(DomainClaim),
  }),
  decide_domain_claim: defineCommand({
    ...base,
    name: "decide_domain_claim",
    summary:
      "Approves a tenant's email domain (login then picks that tenant for it) or rejects it (host operator).",
    permission: "host",
    args: z.object({
      tenantId: z.string().min(1).max(200),
      domain: EmailDomain,
      approve: z.boolean(),
    }),
    result: z.null(),
  }),
};
