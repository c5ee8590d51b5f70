/**
 * The profiles service: profiles, output groups, targets, settings, themes.
 * @module
 */
export { PROFILES_MIGRATIONS } from "./migrations.ts";
export { createSettingsStore, type SettingsStore } from "./settings_store.ts";
export { type ProfilesServiceDeps, startProfilesService } from "./service.ts";
