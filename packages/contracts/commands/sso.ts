import { z } from "zod";
import { defineCommand } from "../command.ts";
import { SignInSettings, SignInSettingsInput } from "../sso_types.ts";

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
};
