import { AppError } from "@spiritstream/contracts";

/** Where Discord webhooks live (SpiritStream §1.3.8). */
export const DISCORD_WEBHOOK_PREFIXES = [
  "https://discord.com/api/webhooks/",
  "https://discordapp.com/api/webhooks/",
] as const;

/**
 * Checks a Discord webhook URL: it must start with a Discord prefix or with `extraBase`
 * (`SPIRITSTREAM_WEBHOOK_BASE`: a proxy or a test server, HTTPS only). Throws
 * `invalid_argument` naming `field`; the URL itself (a credential) is never echoed.
 */
export function checkDiscordWebhookUrl(
  url: string,
  options: { field: string; extraBase: string | null },
): void {
  const problem = discordWebhookProblem(url, options.extraBase);
  if (problem) {
    throw new AppError("invalid_argument", `Invalid argument "${options.field}": ${problem}`);
  }
}

/** The rule a Discord webhook URL breaks, or null when it is fine. */
export function discordWebhookProblem(url: string, extraBase: string | null): string | null {
  const prefixes: string[] = [...DISCORD_WEBHOOK_PREFIXES];
  if (extraBase) prefixes.push(extraBase);
  if (prefixes.some((prefix) => url.startsWith(prefix)) && isHttpsUrl(url)) return null;
  return `webhook URL must start with ${prefixes.join(" or ")}`;
}

/** The rule a plain-JSON webhook URL breaks (it must be HTTPS), or null. */
export function httpsUrlProblem(url: string): string | null {
  return isHttpsUrl(url) ? null : "must be an https:// URL";
}

function isHttpsUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.hostname !== "" && parsed.username === "" &&
      parsed.password === "";
  } catch {
    return false;
  }
}
