import type { Config } from "@spiritstream/kit";
import type { ChatOptions } from "./chat_control.ts";

/** Chat's part of the host's config: where Twitch and YouTube are, where chat logs go. */
export function chatOptions(
  config: Pick<Config, "twitchIrcUrl" | "youtubeApiUrl" | "logDir">,
): ChatOptions {
  return {
    logDir: config.logDir,
    endpoints: {
      ...(config.twitchIrcUrl ? { twitchIrcUrl: config.twitchIrcUrl } : {}),
      ...(config.youtubeApiUrl ? { youtubeApiUrl: config.youtubeApiUrl } : {}),
    },
  };
}
