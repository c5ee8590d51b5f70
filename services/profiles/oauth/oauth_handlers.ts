import type {
  OAuthAccountStatus,
  OAuthConfigStatus,
  OAuthFlowResult,
  OAuthFlowStart,
  OAuthTokenResponse,
} from "@spiritstream/contracts";
import type { HandlerOf } from "../handler_context.ts";
import type { OAuthService } from "./oauth_service.ts";

/** The OAuth commands (§1.3.10). */
export interface OAuthHandlers {
  oauth_is_configured: HandlerOf<"oauth_is_configured", boolean>;
  oauth_start_flow: HandlerOf<"oauth_start_flow", OAuthFlowStart>;
  oauth_complete_flow: HandlerOf<"oauth_complete_flow", OAuthFlowResult>;
  oauth_get_account: HandlerOf<"oauth_get_account", OAuthAccountStatus>;
  oauth_disconnect: HandlerOf<"oauth_disconnect", null>;
  oauth_forget: HandlerOf<"oauth_forget", null>;
  oauth_refresh_token: HandlerOf<"oauth_refresh_token", OAuthTokenResponse>;
  oauth_get_config: HandlerOf<"oauth_get_config", OAuthConfigStatus>;
  oauth_set_config: HandlerOf<"oauth_set_config", null>;
}

/** Creates the OAuth handlers over the sign-in service. */
export function createOAuthHandlers(oauth: OAuthService): OAuthHandlers {
  return {
    oauth_is_configured: (args) => Promise.resolve(oauth.isConfigured(args.provider)),
    oauth_start_flow: (args, meta) => oauth.start(meta, args.provider),
    oauth_complete_flow: (args, meta) => oauth.complete(meta, args),
    oauth_get_account: (args, meta) => oauth.account(meta, args.provider),
    oauth_disconnect: async (args, meta) => (await oauth.disconnect(meta, args.provider), null),
    oauth_forget: async (args, meta) => (await oauth.forget(meta, args.provider), null),
    oauth_refresh_token: (args, meta) => oauth.refreshWith(meta, args),
    oauth_get_config: () => Promise.resolve(oauth.configStatus()),
    oauth_set_config: async (args, meta) => (await oauth.clients.set(meta, args.config), null),
  };
}
