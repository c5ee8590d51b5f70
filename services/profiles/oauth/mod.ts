/** Sign-in with Twitch and Google: OAuth 2.0 authorization code with PKCE (§1.3.10). */
export { type AccessTokens, OAuthService, type OAuthServiceDeps } from "./oauth_service.ts";
export { createOAuthHandlers, type OAuthHandlers } from "./oauth_handlers.ts";
export {
  defaultOAuthConfig,
  type OAuthConfig,
  oauthConfigFromEnv,
  type ProviderSettings,
} from "./oauth_config.ts";
export { ClientSettings } from "./client_settings.ts";
export { createClientOverrideStore } from "./client_store.ts";
