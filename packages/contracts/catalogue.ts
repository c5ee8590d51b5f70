import type { CommandDef, ServiceName } from "./command.ts";
import { AUTH_COMMANDS } from "./commands/auth.ts";
import { SSO_COMMANDS } from "./commands/sso.ts";
import { CHAT_COMMANDS } from "./commands/chat.ts";
import { DISCORD_COMMANDS } from "./commands/discord.ts";
import { LOGS_COMMANDS } from "./commands/logs.ts";
import { OAUTH_COMMANDS } from "./commands/oauth.ts";
import { OBS_COMMANDS } from "./commands/obs.ts";
import { PROFILES_COMMANDS } from "./commands/profiles.ts";
import { RECORDINGS_COMMANDS } from "./commands/recordings.ts";
import { SETTINGS_COMMANDS } from "./commands/settings.ts";
import { STREAMING_COMMANDS } from "./commands/streaming.ts";
import { SYSTEM_COMMANDS } from "./commands/system.ts";
import { TENANT_COMMANDS } from "./commands/tenants.ts";
import { THEMES_COMMANDS } from "./commands/themes.ts";

/** Every command, by name: SpiritStream's 72 and ours. */
export const COMMANDS = {
  ...PROFILES_COMMANDS,
  ...STREAMING_COMMANDS,
  ...SYSTEM_COMMANDS,
  ...LOGS_COMMANDS,
  ...SETTINGS_COMMANDS,
  ...THEMES_COMMANDS,
  ...OBS_COMMANDS,
  ...DISCORD_COMMANDS,
  ...CHAT_COMMANDS,
  ...OAUTH_COMMANDS,
  ...AUTH_COMMANDS,
  ...SSO_COMMANDS,
  ...TENANT_COMMANDS,
  ...RECORDINGS_COMMANDS,
};

/** A command name. */
export type CommandName = keyof typeof COMMANDS;

/** Every command name, grouped as in the catalogue. */
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** The command of that name, or undefined (the caller answers `unknown_command`). */
export function commandByName(name: string): CommandDef | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name as CommandName] : undefined;
}

/** The commands one service serves. */
export function commandsOf(service: ServiceName): CommandDef[] {
  return (Object.values(COMMANDS) as CommandDef[]).filter((def) => def.service === service);
}

/** The 72 commands of SpiritStream's host server (§1.3), for compatibility checks. */
export const SPIRITSTREAM_COMMANDS: readonly CommandName[] = [
  "get_all_profiles",
  "get_profile_summaries",
  "load_profile",
  "save_profile",
  "delete_profile",
  "is_profile_encrypted",
  "validate_input",
  "set_profile_order",
  "get_order_index_map",
  "ensure_order_indexes",
  "start_stream",
  "start_all_streams",
  "stop_stream",
  "stop_all_streams",
  "retry_stream",
  "get_active_stream_count",
  "is_group_streaming",
  "get_active_group_ids",
  "toggle_stream_target",
  "is_target_disabled",
  "get_encoders",
  "test_ffmpeg",
  "validate_ffmpeg_path",
  "test_rtmp_target",
  "download_ffmpeg",
  "cancel_ffmpeg_download",
  "get_bundled_ffmpeg_path",
  "check_ffmpeg_update",
  "delete_ffmpeg",
  "get_recent_logs",
  "export_logs",
  "get_settings",
  "save_settings",
  "get_profiles_path",
  "export_data",
  "clear_data",
  "rotate_machine_key",
  "list_themes",
  "refresh_themes",
  "get_theme_tokens",
  "install_theme",
  "obs_get_state",
  "obs_get_config",
  "obs_set_config",
  "obs_connect",
  "obs_disconnect",
  "obs_start_stream",
  "obs_stop_stream",
  "obs_is_connected",
  "discord_test_webhook",
  "discord_send_notification",
  "discord_reset_cooldown",
  "connect_chat",
  "send_chat_message",
  "chat_export_log",
  "chat_search_session",
  "disconnect_chat",
  "retry_chat_connection",
  "disconnect_all_chat",
  "get_chat_status",
  "chat_get_log_status",
  "get_platform_chat_status",
  "is_chat_connected",
  "oauth_is_configured",
  "oauth_start_flow",
  "oauth_complete_flow",
  "oauth_get_account",
  "oauth_disconnect",
  "oauth_forget",
  "oauth_refresh_token",
  "oauth_get_config",
  "oauth_set_config",
];
