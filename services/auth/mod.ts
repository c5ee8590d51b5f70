/**
 * The auth service: server-side sessions, the shared token, users with roles in tenants, API
 * tokens, EdDSA access tokens with rotating refresh tokens, and the audit log.
 * @module
 */
export { type AuthServiceDeps, authSettingsFromConfig, startAuthService } from "./service.ts";
export { SigningKeyError } from "./access_token_signer.ts";
export { type AuthStore, createAuthStore } from "./auth_store.ts";
export { AUTH_MIGRATIONS } from "./migrations.ts";
export { API_TOKEN_PREFIX } from "./serve_auth_rpc.ts";
