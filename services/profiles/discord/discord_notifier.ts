import { AppError, type DiscordSettings, type WebhookResult } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import { resolveAllowedPath } from "../data/safe_path.ts";
import { postWebhook, type WebhookAttachment } from "./post_webhook.ts";
import { checkDiscordWebhookUrl } from "./webhook_url.ts";

/** What a {@linkcode DiscordNotifier} needs. */
export interface DiscordNotifierOptions {
  logger: Logger;
  redactor?: Redactor;
  /** `SPIRITSTREAM_WEBHOOK_BASE`. */
  webhookBase: string | null;
  /** Folders a go-live image may be read from (the data folder and the home folder). */
  imageRoots: readonly string[];
  /** @default Date.now */
  now?: () => number;
}

/** Discord's username for our messages (SpiritStream §1.3.8). */
const USERNAME = "SpiritStream";
/** Larger files Discord refuses without a boosted server. */
const MAX_IMAGE_BYTES = 8 * 1024 * 1024;
const IMAGE_TYPES: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

/** Go-live messages to Discord, one cooldown per tenant, and the webhook test. */
export class DiscordNotifier {
  #options: DiscordNotifierOptions;
  #lastSent = new Map<string, number>();

  constructor(options: DiscordNotifierOptions) {
    this.#options = options;
  }

  /** Sends a test message to `url` (`discord_test_webhook`); the cooldown is not involved. */
  async test(url: string): Promise<WebhookResult> {
    checkDiscordWebhookUrl(url, { field: "url", extraBase: this.#options.webhookBase });
    // Only a real webhook URL is a secret worth masking from then on.
    this.#options.redactor?.add(url);
    const content = "✅ SpiritStream webhook test: go-live messages will arrive here.";
    return await this.#send(url, { content, username: USERNAME }, undefined, "Test message sent");
  }

  /** Sends the go-live message of `settings` unless disabled or within the cooldown. */
  async notify(tenantId: string, settings: DiscordSettings): Promise<WebhookResult> {
    if (!settings.webhookEnabled) return result(false, "Discord webhook is not enabled");
    if (settings.webhookUrl === "") return result(false, "Discord webhook URL is not set");
    checkDiscordWebhookUrl(settings.webhookUrl, {
      field: "settings.discord.webhookUrl",
      extraBase: this.#options.webhookBase,
    });
    const waitSecs = this.#cooldownLeft(tenantId, settings);
    if (waitSecs > 0) {
      return {
        success: true,
        message: `Cooldown active: ${waitSecs} s left`,
        skippedCooldown: true,
      };
    }
    const image = await this.#image(settings.imagePath);
    const sent = await this.#send(
      settings.webhookUrl,
      { content: settings.goLiveMessage, username: USERNAME },
      image ?? undefined,
      image === null && settings.imagePath !== ""
        ? "Go-live message sent (the image file was not found)"
        : "Go-live message sent",
    );
    if (sent.success) this.#lastSent.set(tenantId, this.#now());
    return sent;
  }

  resetCooldown(tenantId: string): void {
    this.#lastSent.delete(tenantId);
  }

  async #send(
    url: string,
    body: Record<string, unknown>,
    attachment: WebhookAttachment | undefined,
    done: string,
  ): Promise<WebhookResult> {
    try {
      await postWebhook(url, { body, attachment });
      return result(true, done);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.#options.logger.warn({ reason: error.message }, "Discord webhook failed");
      return result(false, error.message);
    }
  }

  #cooldownLeft(tenantId: string, settings: DiscordSettings): number {
    const last = this.#lastSent.get(tenantId);
    if (!settings.cooldownEnabled || last === undefined) return 0;
    const leftMs = last + settings.cooldownSeconds * 1000 - this.#now();
    return leftMs > 0 ? Math.ceil(leftMs / 1000) : 0;
  }

  /** The go-live image: null when the file does not exist (SpiritStream sends without it). */
  async #image(path: string): Promise<WebhookAttachment | null> {
    if (path === "") return null;
    const field = "settings.discord.imagePath";
    const extension = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
    const type = IMAGE_TYPES[extension];
    if (!type) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "${field}": must be a .png, .jpg, .jpeg, .gif or .webp file`,
      );
    }
    let resolved: string;
    try {
      resolved = await resolveAllowedPath(path, {
        field,
        roots: this.#options.imageRoots,
        noHidden: true,
      });
    } catch (error) {
      if (error instanceof AppError && error.code === "not_found") return null;
      throw error;
    }
    const info = await Deno.stat(resolved);
    if (!info.isFile || info.size > MAX_IMAGE_BYTES) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "${field}": must be a file of at most 8 MiB`,
      );
    }
    const name = resolved.slice(resolved.lastIndexOf("/") + 1);
    return { name, type, bytes: await Deno.readFile(resolved) };
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}

function result(success: boolean, message: string): WebhookResult {
  return { success, message, skippedCooldown: false };
}
