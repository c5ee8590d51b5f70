import { z } from "zod";

/* Reusable validation rules. Every message names the rule it enforces, so that
 * `describeZodError` yields sentences like `Invalid argument "profile.name": ...`. */

const encoder = new TextEncoder();

/** Profile names (SpiritStream §4.6): also file names, so no path tricks. */
export const ProfileName = z
  .string()
  .min(1, { message: "profile name must not be empty", abort: true })
  .refine((s) => encoder.encode(s).length <= 100, {
    message: "profile name must be at most 100 bytes",
    abort: true,
  })
  .refine((s) => !s.includes("/") && !s.includes("\\") && !s.includes(".."), {
    message: 'profile name must not contain "/", "\\" or ".."',
    abort: true,
  })
  .regex(/^[\p{Alphabetic}\p{N} _-]+$/u, {
    message: 'profile name may contain only letters, digits, spaces, "_" and "-"',
  });

/** FFmpeg bitrate strings as the UI sends them: `"6000k"`, `"8M"`, `"0k"` (copy). */
export const Bitrate = z
  .string()
  .regex(/^\d+(\.\d+)?[kKmM]?$/, {
    message: 'bitrate must be a number with an optional k or M unit, like "6000k" or "8M"',
  });

/** A TCP/UDP port. */
export const Port = z
  .number()
  .int({ message: "port must be a whole number from 1 to 65535" })
  .min(1, { message: "port must be a whole number from 1 to 65535" })
  .max(65535, { message: "port must be a whole number from 1 to 65535" });

/** Where a stream is pushed or pulled: RTMP, RTMPS or SRT (no spaces). */
export const StreamUrl = z
  .string()
  .regex(/^(rtmps?|srt):\/\/[^\s/?#]+\S*$/i, {
    message: "stream URL must start with rtmp://, rtmps:// or srt:// followed by a host",
  });

/** Discord only accepts webhooks under these prefixes (SpiritStream §1.3.8). */
export const DiscordWebhookUrl = z
  .string()
  .refine(
    (s) =>
      s.startsWith("https://discord.com/api/webhooks/") ||
      s.startsWith("https://discordapp.com/api/webhooks/"),
    { message: "webhook URL must start with https://discord.com/api/webhooks/" },
  );

/** Theme ids (SpiritStream §6.1). */
export const ThemeId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-_]{0,63}$/, {
    message:
      'theme id must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit',
  });

/** SRT passphrases: libsrt accepts 10 to 79 characters. */
export const SrtPassphrase = z
  .string()
  .min(10, { message: "SRT passphrase must be 10 to 79 characters" })
  .max(79, { message: "SRT passphrase must be 10 to 79 characters" });

/** A login e-mail (loose on purpose: `admin@localhost` is fine on a homelab). */
export const Email = z
  .string()
  .trim()
  .max(254, { message: "email must be at most 254 characters" })
  .regex(/^[^\s@]+@[^\s@]+$/, { message: "email must look like name@host" })
  .transform((s) => s.toLowerCase());

/** A user password. */
export const Password = z
  .string()
  .min(8, { message: "password must be at least 8 characters" })
  .max(1024, { message: "password must be at most 1024 characters" });
