import type { ChatMessage } from "@spiritstream/contracts";

/** The most of each field kept from a platform (Twitch sends 500, YouTube 200; its ids ~170). */
export const CHAT_BOUNDS = { id: 256, username: 64, message: 1000, badges: 16, badge: 32 };

// deno-lint-ignore no-control-regex -- control characters are what is removed
const CONTROL = /[\u0000-\u001f\u007f]+/g;

/**
 * A platform's message cut to {@linkcode CHAT_BOUNDS}, control characters (NUL, CR, LF, …)
 * turned into spaces: a hostile or broken server may send 8 KiB lines and fill every field,
 * and each message is kept 20,000 deep, written to the log and sent to every dashboard.
 */
export function boundChatMessage(message: ChatMessage): ChatMessage {
  return {
    ...message,
    id: cut(message.id, CHAT_BOUNDS.id),
    username: clean(message.username, CHAT_BOUNDS.username),
    message: clean(message.message, CHAT_BOUNDS.message),
    sourceId: typeof message.sourceId === "string"
      ? cut(message.sourceId, CHAT_BOUNDS.id)
      : message.sourceId,
    badges: message.badges?.slice(0, CHAT_BOUNDS.badges).map((b) => clean(b, CHAT_BOUNDS.badge)),
  };
}

function clean(text: string, max: number): string {
  return cut(text.replace(CONTROL, " "), max);
}

/** At most `max` code points (never half a surrogate pair). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return [...text].slice(0, max).join("");
}
