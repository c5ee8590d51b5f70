import { z } from "zod";
import { defineCommand } from "../command.ts";
import { WebhookResult } from "../integration_types.ts";

const base = { group: "discord", service: "profiles" } as const;
const none = z.object({});

/** Discord webhook commands (SpiritStream §1.3.8). */
export const DISCORD_COMMANDS = {
  discord_test_webhook: defineCommand({
    ...base,
    name: "discord_test_webhook",
    summary: "Sends a test message to a Discord webhook.",
    // Not `read`: it posts to an outside URL.
    permission: "operate",
    // The URL rule (a Discord prefix, or the host's SPIRITSTREAM_WEBHOOK_BASE) is the service's:
    // only it knows the host's setting.
    args: z.object({ url: z.string().min(1).max(2048) }),
    result: WebhookResult,
  }),
  discord_send_notification: defineCommand({
    ...base,
    name: "discord_send_notification",
    summary: "Sends the active profile's go-live message (respecting the cooldown).",
    permission: "operate",
    args: none,
    result: WebhookResult,
  }),
  discord_reset_cooldown: defineCommand({
    ...base,
    name: "discord_reset_cooldown",
    summary: "Resets the go-live message cooldown.",
    permission: "operate",
    args: none,
    result: z.null(),
  }),
};
