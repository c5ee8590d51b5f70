import type {
  ChatLogStatus,
  ChatPlatformStatus,
  OAuthAccountStatus,
  OAuthConfigStatus,
} from "@spiritstream/contracts";
import type { HandlerOf } from "./handler_context.ts";
import type { ProfileVault } from "./profile_vault.ts";

/** The status commands SpiritStream's UI polls for chat and OAuth (§1.3.11 "cheap answers"). */
export interface StatusHandlers {
  get_chat_status: HandlerOf<"get_chat_status", ChatPlatformStatus[]>;
  chat_get_log_status: HandlerOf<"chat_get_log_status", ChatLogStatus>;
  oauth_get_account: HandlerOf<"oauth_get_account", OAuthAccountStatus>;
  get_platform_chat_status: HandlerOf<"get_platform_chat_status", ChatPlatformStatus | null>;
  is_chat_connected: HandlerOf<"is_chat_connected", boolean>;
  oauth_is_configured: HandlerOf<"oauth_is_configured", boolean>;
  oauth_get_config: HandlerOf<"oauth_get_config", OAuthConfigStatus>;
}

/**
 * Answers the polled chat and OAuth status truthfully while unified chat is not built: no chat
 * platform is connected and no chat log runs; no OAuth app is configured (sign-in flows are not
 * built); an OAuth account is the one the active profile stores (never its tokens).
 */
export function createStatusHandlers(vault: ProfileVault): StatusHandlers {
  return {
    get_chat_status: () => Promise.resolve([]),
    chat_get_log_status: () => Promise.resolve({ active: false, startedAt: null }),
    get_platform_chat_status: () => Promise.resolve(null),
    is_chat_connected: () => Promise.resolve(false),
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
