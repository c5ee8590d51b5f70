import { AppError } from "@spiritstream/contracts";

/** Where Twitch chat is, unless SPIRITSTREAM_TWITCH_IRC_URL says otherwise. */
export const TWITCH_IRC_URL = "ircs://irc.chat.twitch.tv:6697";

/** A parsed IRC server address. */
export interface IrcAddress {
  tls: boolean;
  hostname: string;
  port: number;
}

/** Parses `ircs://host[:port]` (TLS, default port 6697) or `irc://host[:port]` (6667). */
export function parseIrcUrl(url: string, field = "SPIRITSTREAM_TWITCH_IRC_URL"): IrcAddress {
  const match = /^(ircs?):\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(url);
  const port = Number(match?.[3] ?? (match?.[1] === "ircs" ? 6697 : 6667));
  if (!match || port < 1 || port > 65535) {
    throw new AppError(
      "invalid_argument",
      `Invalid ${field}: must be ircs://host[:port] or irc://host[:port]`,
    );
  }
  return { tls: match[1] === "ircs", hostname: match[2]!.replace(/^\[|\]$/g, ""), port };
}
