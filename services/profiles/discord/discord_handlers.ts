import type { WebhookResult } from "@spiritstream/contracts";
import type { HandlerOf } from "../handler_context.ts";
import type { ProfileVault } from "../profile_vault.ts";
import type { DiscordNotifier } from "./discord_notifier.ts";

/** The Discord webhook commands (§1.3.8). */
export interface DiscordHandlers {
  discord_test_webhook: HandlerOf<"discord_test_webhook", WebhookResult>;
  discord_send_notification: HandlerOf<"discord_send_notification", WebhookResult>;
  discord_reset_cooldown: HandlerOf<"discord_reset_cooldown", null>;
}

/** Creates the Discord handlers; the go-live message uses the active profile's settings. */
export function createDiscordHandlers(
  notifier: DiscordNotifier,
  vault: ProfileVault,
): DiscordHandlers {
  return {
    discord_test_webhook: (args) => notifier.test(args.url),

    async discord_send_notification(_args, meta) {
      const profile = await vault.active(meta.tenantId);
      if (!profile) {
        return { success: false, message: "No active profile", skippedCooldown: false };
      }
      return await notifier.notify(meta.tenantId, profile.settings.discord);
    },

    discord_reset_cooldown(_args, meta) {
      notifier.resetCooldown(meta.tenantId);
      return Promise.resolve(null);
    },
  };
}
