import type { ChatMessage } from "@spiritstream/contracts";
import { type IrcMessage, nickOf } from "./irc_message.ts";

/** Twitch's `/me` wrapping (CTCP ACTION). */
// deno-lint-ignore no-control-regex -- CTCP is delimited by \x01
const ACTION = /^\u0001ACTION ([^\u0001]*)\u0001?$/;

/**
 * A channel PRIVMSG as a chat message. Twitch's tags (`display-name`, `color`, `badges`, `id`,
 * `tmi-sent-ts`, `user-id`) win; a plain IRCv3 server gives `msgid` and `time` instead, and the
 * nick stands in for the display name. Null for anything but a PRIVMSG to a channel.
 */
export function chatMessageFromIrc(line: IrcMessage, now: number): ChatMessage | null {
  const [target, raw] = line.params;
  if (line.command !== "PRIVMSG" || !target?.startsWith("#") || raw === undefined) return null;
  const { tags } = line;
  const action = ACTION.exec(raw);
  const nick = nickOf(line.prefix);
  return {
    id: tags["id"] || tags["msgid"] || crypto.randomUUID(),
    platform: "twitch",
    username: tags["display-name"] || nick,
    message: action ? action[1]! : raw,
    timestamp: timestampOf(tags, now),
    direction: "inbound",
    sourceId: tags["user-id"] || nick || null,
    color: /^#[0-9A-Fa-f]{6}$/.test(tags["color"] ?? "") ? tags["color"] : null,
    badges: badgesOf(tags["badges"]),
  };
}

/** `broadcaster/1,subscriber/12` → `["broadcaster", "subscriber"]`. */
function badgesOf(value: string | undefined): string[] | null {
  if (!value) return null;
  const names = value.split(",").map((badge) => badge.split("/")[0]!).filter(Boolean);
  return names.length > 0 ? names : null;
}

function timestampOf(tags: Record<string, string>, now: number): number {
  const sent = Number(tags["tmi-sent-ts"]);
  if (Number.isSafeInteger(sent) && sent > 0) return sent;
  const time = Date.parse(tags["time"] ?? "");
  return Number.isFinite(time) ? time : now;
}
