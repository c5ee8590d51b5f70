/**
 * The profiles service: profiles, output groups, targets, settings, themes, secrets at rest,
 * import and export.
 * @module
 */
export { PROFILES_MIGRATIONS } from "./migrations.ts";
export { createSettingsStore, type SettingsStore } from "./settings_store.ts";
export {
  createProfileStore,
  type ProfileStore,
  type ProfileWrite,
  type StoredProfile,
} from "./profile_store.ts";
export { createDataKeyStore, type DataKeyRow, type DataKeyStore } from "./data_key_store.ts";
export { createProfileVault, type ProfileVault, type SaveResult } from "./profile_vault.ts";
export { ARGON2_PARAMS, derivePasswordKey, type PasswordKey } from "./crypto/password_box.ts";
export { validateProfile } from "./validate_profile.ts";
export { maskSecrets } from "./masking.ts";
export { type ProfilesServiceDeps, startProfilesService } from "./service.ts";
export { chatOptions } from "./chat/mod.ts";
export {
  type AccessTokens,
  type OAuthConfig,
  oauthConfigFromEnv,
  OAuthService,
} from "./oauth/mod.ts";
