import { AppError, type ChatPlatform } from "@spiritstream/contracts";

/** Why each platform's chat cannot be reached from here. */
const WHY: Partial<Record<ChatPlatform, string>> = {
  tiktok:
    "TikTok chat is not supported: TikTok has no public chat API (only an unofficial web connection that breaks without notice)",
  kick: "Kick chat is not supported: Kick offers no public chat API to read or send chat with",
  trovo:
    "Trovo chat is not supported: it needs a Trovo developer client id and Trovo's servers, which this build cannot reach or test",
  facebook:
    "Facebook chat is not supported: Facebook Live comments need a Meta app review and Graph API access, which this build does not have",
  stripchat: "Stripchat chat is not supported: Stripchat has no public chat API",
};

/** The error for a platform we cannot reach; null for Twitch and YouTube. */
export function unsupportedPlatform(platform: ChatPlatform): AppError | null {
  const why = WHY[platform];
  return why ? new AppError("not_implemented", why) : null;
}
