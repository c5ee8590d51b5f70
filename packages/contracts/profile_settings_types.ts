import { z } from "zod";
import { Port } from "./rules.ts";

/* Per-profile settings (SpiritStream §4.4). Every field has a default, so `{}` parses to a
 * full object; secrets are plaintext on the wire (`ENC::` only at rest). */

/** Bind/auth settings a profile carries for the next server start. */
export const BackendSettings = z.object({
  remoteEnabled: z.boolean().default(false),
  uiEnabled: z.boolean().default(false),
  host: z.string().default("127.0.0.1"),
  port: Port.default(8008),
  token: z.string().default(""),
});
export type BackendSettings = z.infer<typeof BackendSettings>;

/** Which way OBS and SpiritStream start each other. */
export const ObsDirection = z.enum([
  "obs-to-spiritstream",
  "spiritstream-to-obs",
  "bidirectional",
  "disabled",
]);
export type ObsDirection = z.infer<typeof ObsDirection>;

/** Any string is accepted; an unknown direction means `disabled` (as SpiritStream does). */
export const LenientObsDirection = z
  .string()
  .transform((d): ObsDirection => ObsDirection.safeParse(d).data ?? "disabled")
  .pipe(ObsDirection);

/** OBS WebSocket settings; also the result of `obs_get_config`. */
export const ObsConfig = z.object({
  host: z.string().default("localhost"),
  port: Port.default(4455),
  password: z.string().default(""),
  useAuth: z.boolean().default(false),
  direction: LenientObsDirection.default("disabled"),
  autoConnect: z.boolean().default(false),
  /**
   * Ours: the server carries out `direction` (OBS starts → go live; go live → OBS starts), not
   * the browser. Off for SpiritStream's own UI, which does it itself.
   */
  serverLink: z.boolean().default(false),
});
export type ObsConfig = z.infer<typeof ObsConfig>;

/** Discord go-live webhook settings. */
export const DiscordSettings = z.object({
  webhookEnabled: z.boolean().default(false),
  webhookUrl: z.string().default(""),
  goLiveMessage: z.string().default("**Stream is now live!** 🎮\n\nCome join the stream!"),
  cooldownEnabled: z.boolean().default(true),
  cooldownSeconds: z.number().int().min(0).default(60),
  imagePath: z.string().default(""),
});
export type DiscordSettings = z.infer<typeof DiscordSettings>;

/**
 * Outage alerts (ours): a webhook message when a target fails or stays reconnecting longer than
 * `afterSecs`, when the ingest is lost while live, and when each comes back; one per incident.
 */
export const AlertSettings = z.object({
  enabled: z.boolean().default(false),
  /** Discord webhook (format `discord`) or any HTTPS endpoint (format `json`); a secret. */
  webhookUrl: z.string().default(""),
  format: z.enum(["discord", "json"]).default("discord"),
  afterSecs: z.number().int().min(1).max(3600).default(30),
});
export type AlertSettings = z.infer<typeof AlertSettings>;

/** Unified-chat settings. */
export const ChatSettings = z.object({
  twitchChannel: z.string().default(""),
  youtubeChannelId: z.string().default(""),
  trovoChannelId: z.string().default(""),
  stripchatUsername: z.string().default(""),
  youtubeApiKey: z.string().default(""),
  twitchSendEnabled: z.boolean().default(false),
  youtubeSendEnabled: z.boolean().default(false),
  trovoSendEnabled: z.boolean().default(false),
  stripchatSendEnabled: z.boolean().default(false),
  sendAllEnabled: z.boolean().default(true),
  crosspostEnabled: z.boolean().default(false),
  youtubeUseApiKey: z.boolean().default(false),
  visiblePlatforms: z.array(z.string()).default([]),
  visibilityPanelCollapsed: z.boolean().default(true),
});
export type ChatSettings = z.infer<typeof ChatSettings>;

/** One stored OAuth login (tokens and the account they belong to). */
export const OAuthAccount = z.object({
  accessToken: z.string().default(""),
  refreshToken: z.string().default(""),
  /** Epoch seconds; 0 = unknown. */
  expiresAt: z.number().int().min(0).default(0),
  userId: z.string().default(""),
  username: z.string().default(""),
  displayName: z.string().default(""),
});
export type OAuthAccount = z.infer<typeof OAuthAccount>;

/** Stored OAuth logins per provider. */
export const OAuthSettings = z.object({
  twitch: OAuthAccount.prefault({}),
  youtube: OAuthAccount.prefault({}),
});
export type OAuthSettings = z.infer<typeof OAuthSettings>;

/** Everything a profile configures besides its inputs and outputs. */
export const ProfileSettings = z.object({
  themeId: z.string().default("spirit-dark"),
  language: z.string().default("en"),
  showNotifications: z.boolean().default(true),
  encryptStreamKeys: z.boolean().default(true),
  backend: BackendSettings.prefault({}),
  obs: ObsConfig.prefault({}),
  discord: DiscordSettings.prefault({}),
  alerts: AlertSettings.prefault({}),
  chat: ChatSettings.prefault({}),
  oauth: OAuthSettings.prefault({}),
});
export type ProfileSettings = z.infer<typeof ProfileSettings>;
