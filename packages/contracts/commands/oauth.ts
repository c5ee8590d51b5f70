import { z } from "zod";
import { defineCommand } from "../command.ts";
import {
  OAuthAccountStatus,
  OAuthClientConfig,
  OAuthConfigStatus,
  OAuthFlowResult,
  OAuthFlowStart,
  OAuthProvider,
  OAuthTokenResponse,
} from "../integration_types.ts";

const base = { group: "oauth", service: "profiles" } as const;
const provider = z.object({ provider: OAuthProvider });

/** OAuth commands (SpiritStream §1.3.10). */
export const OAUTH_COMMANDS = {
  oauth_is_configured: defineCommand({
    ...base,
    name: "oauth_is_configured",
    summary: "Tells whether a provider can log in (false for unknown providers).",
    permission: "read",
    args: z.object({ provider: z.string() }),
    result: z.boolean(),
  }),
  oauth_start_flow: defineCommand({
    ...base,
    name: "oauth_start_flow",
    summary: "Starts a PKCE login for the active profile; returns the URL to open.",
    permission: "operate",
    args: provider,
    result: OAuthFlowStart,
  }),
  oauth_complete_flow: defineCommand({
    ...base,
    name: "oauth_complete_flow",
    summary: "Finishes a login with the provider's code and state.",
    permission: "operate",
    args: z.object({ provider: OAuthProvider, code: z.string().min(1), state: z.string().min(1) }),
    result: OAuthFlowResult,
  }),
  oauth_get_account: defineCommand({
    ...base,
    name: "oauth_get_account",
    summary: "Returns who is logged in with a provider on the active profile.",
    permission: "read",
    args: provider,
    result: OAuthAccountStatus,
  }),
  oauth_disconnect: defineCommand({
    ...base,
    name: "oauth_disconnect",
    summary: "Forgets a provider's stored tokens.",
    permission: "operate",
    args: provider,
    result: z.null(),
  }),
  oauth_forget: defineCommand({
    ...base,
    name: "oauth_forget",
    summary: "Revokes (best effort) and forgets a provider's stored tokens.",
    permission: "operate",
    args: provider,
    result: z.null(),
  }),
  oauth_refresh_token: defineCommand({
    ...base,
    name: "oauth_refresh_token",
    summary: "Exchanges a refresh token for a new access token.",
    permission: "operate",
    args: z.object({ provider: OAuthProvider, refreshToken: z.string().min(1) }),
    result: OAuthTokenResponse,
  }),
  oauth_get_config: defineCommand({
    ...base,
    name: "oauth_get_config",
    summary: "Tells which providers have client credentials.",
    permission: "read",
    args: z.object({}),
    result: OAuthConfigStatus,
  }),
  oauth_set_config: defineCommand({
    ...base,
    name: "oauth_set_config",
    summary: "Sets OAuth client credentials.",
    permission: "admin",
    args: z.object({ config: OAuthClientConfig }),
    result: z.null(),
  }),
};
