/**
 * Unified chat (§1.3.9): Twitch over IRC, YouTube through the Data API, one merged feed.
 * @module
 */
export {
  ChatControl,
  type ChatControlDeps,
  type ChatOptions,
  type ChatTimings,
} from "./chat_control.ts";
export { createChatHandlers } from "./chat_handlers.ts";
export type { ChatEndpoints } from "./chat_link_factory.ts";
export {
  type ChatTokenContext,
  type ChatTokenSource,
  NO_STORED_TOKENS,
  profileTokenSource,
} from "./chat_token_source.ts";
export { TWITCH_IRC_URL } from "./twitch_irc_url.ts";
export { YOUTUBE_API_URL } from "./youtube_api.ts";
export { chatOptions } from "./chat_options.ts";
