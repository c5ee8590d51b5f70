/* Every data type of the wire contract (SpiritStream §4 and ours), in one import. */
export * from "./rules.ts";
export * from "./host_name.ts";
export * from "./ingest_guard.ts";
export * from "./nullish_default.ts";
export * from "./profile_settings_types.ts";
export * from "./profile_types.ts";
export * from "./standby_types.ts";
export * from "./settings_types.ts";
export * from "./stream_types.ts";
export * from "./ingest_media.ts";
export * from "./ingest_warnings.ts";
export * from "./session_types.ts";
export * from "./diagnostics_types.ts";
export * from "./integration_types.ts";
export * from "./auth_types.ts";
