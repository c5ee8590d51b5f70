import { z } from "zod";

/* OBS, Discord, chat and OAuth shapes (SpiritStream §1.3.7 to §1.3.10, §2.1). */

/** Connection to OBS WebSocket. */
export const ObsConnectionStatus = z.enum(["disconnected", "connecting", "connected", "error"]);
export type ObsConnectionStatus = z.infer<typeof ObsConnectionStatus>;

/** Whether OBS itself is streaming. */
export const ObsStreamStatus = z.enum(["inactive", "starting", "active", "stopping", "unknown"]);
export type ObsStreamStatus = z.infer<typeof ObsStreamStatus>;

/** Result of `obs_get_state`. */
export const ObsState = z.object({
  connectionStatus: ObsConnectionStatus,
  streamStatus: ObsStreamStatus,
  errorMessage: z.string().nullable(),
  obsVersion: z.string().nullable(),
  websocketVersion: z.string().nullable(),
});
export type ObsState = z.infer<typeof ObsState>;

/** Result of the Discord commands. */
export const WebhookResult = z.object({
  success: z.boolean(),
  message: z.string(),
  skippedCooldown: z.boolean(),
});
export type WebhookResult = z.infer<typeof WebhookResult>;

/** Chat platforms (kick/facebook are stubs in SpiritStream). */
export const ChatPlatform = z.enum([
  "twitch",
  "tiktok",
  "youtube",
  "trovo",
  "stripchat",
  "kick",
  "facebook",
]);
export type ChatPlatform = z.infer<typeof ChatPlatform>;

/** OAuth tokens handed to a chat connection; empty `accessToken` = use the stored one. */
const AppOAuth = z.object({
  method: z.literal("appOAuth"),
  accessToken: z.string().nullish(),
  refreshToken: z.string().nullish(),
  expiresAt: z.number().nullish(),
});

/** How Twitch chat authenticates. */
export const TwitchAuth = z.discriminatedUnion("method", [
  z.object({ method: z.literal("userToken"), oauthToken: z.string() }),
  AppOAuth,
]);
export type TwitchAuth = z.infer<typeof TwitchAuth>;

/** How YouTube chat authenticates. */
export const YouTubeAuth = z.discriminatedUnion("method", [
  z.object({ method: z.literal("apiKey"), key: z.string() }),
  AppOAuth,
]);
export type YouTubeAuth = z.infer<typeof YouTubeAuth>;

/** Per-platform chat credentials, tagged by `type`. */
export const ChatCredentials = z.discriminatedUnion("type", [
  z.object({ type: z.literal("twitch"), channel: z.string(), auth: TwitchAuth.nullish() }),
  z.object({ type: z.literal("tiktok"), username: z.string(), sessionToken: z.string().nullish() }),
  z.object({ type: z.literal("youtube"), channelId: z.string(), auth: YouTubeAuth }),
  z.object({ type: z.literal("trovo"), channelId: z.string() }),
  z.object({ type: z.literal("stripchat"), username: z.string() }),
  z.object({ type: z.literal("kick"), channel: z.string() }),
  z.object({ type: z.literal("facebook"), videoId: z.string(), accessToken: z.string() }),
]);
export type ChatCredentials = z.infer<typeof ChatCredentials>;

/** Argument of `connect_chat`. */
export const ChatConfig = z.object({
  platform: ChatPlatform,
  enabled: z.boolean(),
  credentials: ChatCredentials,
});
export type ChatConfig = z.infer<typeof ChatConfig>;

/** One chat message, inbound or our own echo. */
export const ChatMessage = z.object({
  id: z.string(),
  platform: ChatPlatform,
  /** Where a cross-posted message went. */
  platforms: z.array(ChatPlatform).nullish(),
  username: z.string(),
  message: z.string(),
  /** Epoch ms. */
  timestamp: z.number(),
  direction: z.enum(["inbound", "outbound"]),
  sourceId: z.string().nullish(),
  color: z.string().nullish(),
  badges: z.array(z.string()).nullish(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/** A chat connection's state. */
export const ChatConnectionStatus = z.enum(["disconnected", "connecting", "connected", "error"]);
export type ChatConnectionStatus = z.infer<typeof ChatConnectionStatus>;

/** Result of `get_chat_status` (one per platform). */
export const ChatPlatformStatus = z.object({
  platform: ChatPlatform,
  status: ChatConnectionStatus,
  messageCount: z.number().int().min(0),
  error: z.string().nullish(),
});
export type ChatPlatformStatus = z.infer<typeof ChatPlatformStatus>;

/** Result of `send_chat_message` (one per platform). */
export const ChatSendResult = z.object({
  platform: ChatPlatform,
  success: z.boolean(),
  error: z.string().nullish(),
});
export type ChatSendResult = z.infer<typeof ChatSendResult>;

/** Result of `chat_get_log_status`. */
export const ChatLogStatus = z.object({ active: z.boolean(), startedAt: z.number().nullable() });
export type ChatLogStatus = z.infer<typeof ChatLogStatus>;

/** OAuth providers with a login flow. */
export const OAuthProvider = z.enum(["twitch", "youtube"]);
export type OAuthProvider = z.infer<typeof OAuthProvider>;

/** Result of `oauth_start_flow`. */
export const OAuthFlowStart = z.object({
  authUrl: z.string(),
  callbackPort: z.number().int(),
  state: z.string(),
});
export type OAuthFlowStart = z.infer<typeof OAuthFlowStart>;

/** Who logged in: result of `oauth_complete_flow`, payload of `oauth_complete`. */
export const OAuthFlowResult = z.object({
  provider: OAuthProvider,
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
});
export type OAuthFlowResult = z.infer<typeof OAuthFlowResult>;

/** Result of `oauth_get_account`. */
export const OAuthAccountStatus = z.discriminatedUnion("loggedIn", [
  z.object({ loggedIn: z.literal(false) }),
  z.object({
    loggedIn: z.literal(true),
    userId: z.string(),
    username: z.string(),
    displayName: z.string(),
  }),
]);
export type OAuthAccountStatus = z.infer<typeof OAuthAccountStatus>;

/** Result of `oauth_refresh_token` (snake_case on the wire, as in SpiritStream). */
export const OAuthTokenResponse = z.object({
  access_token: z.string(),
  refresh_token: z.string().nullish(),
  expires_in: z.number().nullish(),
  token_type: z.string().nullish(),
  scope: z.union([z.string(), z.array(z.string())]).nullish(),
});
export type OAuthTokenResponse = z.infer<typeof OAuthTokenResponse>;

/** Result of `oauth_get_config`. */
export const OAuthConfigStatus = z.object({
  twitchConfigured: z.boolean(),
  youtubeConfigured: z.boolean(),
  /** Ours: the redirect URL to register with the platforms (null: none set on this server). */
  redirectUrl: z.string().nullish(),
});
export type OAuthConfigStatus = z.infer<typeof OAuthConfigStatus>;

/** Argument of `oauth_set_config`: client credentials overriding the built-in ones. */
export const OAuthClientConfig = z.object({
  twitchClientId: z.string().nullish(),
  twitchClientSecret: z.string().nullish(),
  youtubeClientId: z.string().nullish(),
  youtubeClientSecret: z.string().nullish(),
});
export type OAuthClientConfig = z.infer<typeof OAuthClientConfig>;
