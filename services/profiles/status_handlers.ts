import type { OAuthAccountStatus, OAuthConfigStatus } from "@spiritstream/contracts";
import type { HandlerOf } from "./handler_context.ts";
import type { ProfileVault } from "./profile_vault.ts";

/** The status commands SpiritStream's UI polls for OAuth (§1.3.11 "cheap answers"). */
export interface StatusHandlers {
  oauth_get_account: HandlerOf<"oauth_get_account", OAuthAccountStatus>;
  oauth_is_configured: HandlerOf<"oauth_is_configured", boolean>;
  oauth_get_config: HandlerOf<"oauth_get_config", OAuthConfigStatus>;
}

/**
 * Answers the polled OAuth status truthfully: no OAuth app is configured (sign-in flows are not
 * built); an OAuth account is the one the active profile stores (never its tokens).
 */
export function createStatusHandlers(vault: ProfileVault): StatusHandlers {
  return {
    oauth_is_configured: () => Promise.resolve(false),
    oauth_get_config: () => Promise.resolve({ twitchConfigured: false, youtubeConfigured: false }),
    async oauth_get_account(args, meta) {
      const account = (await vault.active(meta.tenantId))?.settings.oauth[args.provider];
      if (!account || account.accessToken === "") return { loggedIn: false };
      return {
        loggedIn: true,
        userId: account.userId,
        username: account.username,
        displayName: account.displayName,
      };
    },
  };
}
