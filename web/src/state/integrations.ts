import type { Profile, WebhookResult } from "@spiritstream/contracts";
import { ApiError, describeError } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import { act } from "./actions.ts";
import { active, loadProfile, MASKED, saveProfile, setActive } from "./profiles.ts";

type Settings = Profile["settings"];

/** Saves part of the active profile's settings (masked secrets are kept by the server). */
export async function saveActiveSettings(change: Partial<Settings>): Promise<void> {
  const profile = active.value;
  if (!profile) throw new Error("Choose a profile first.");
  await saveProfile({ ...profile, settings: { ...profile.settings, ...change } });
  setActive(await loadProfile(profile.name));
}

/** The active profile's settings with its secrets, for "Show" and "Send test" (operators). */
export async function revealedSettings(): Promise<Settings | undefined> {
  const profile = active.value;
  if (!profile) return undefined;
  return await act(
    "show the secret",
    async () => (await loadProfile(profile.name, { reveal: true })).settings,
  );
}

/**
 * The rule each argument broke, from a message like `Invalid argument "url": must ...`, by
 * argument name (`url`); a `prefix` (`profile.settings.discord.`) is dropped from the names.
 */
export function argumentErrors(error: unknown, prefix = ""): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const found: Record<string, string> = {};
  for (const part of error.message.split(/;\s(?=Invalid argument ")/)) {
    const match = /^Invalid argument "([^"]+)": ([\s\S]+)$/.exec(part.trim());
    if (match && match[1]!.startsWith(prefix)) {
      const rule = match[2]!.trim();
      found[match[1]!.slice(prefix.length)] = /[.!?]$/.test(rule) ? rule : `${rule}.`;
    }
  }
  return found;
}

/** The outcome of "Send test", as the card shows it. */
export interface TestOutcome {
  ok: boolean;
  text: string;
  /** The rule the URL broke, for the field itself. */
  urlError?: string;
}

/** Posts Discord's test message to `url` (the mask means the stored webhook). */
export async function testDiscordWebhook(url: string): Promise<TestOutcome> {
  let target = url.trim();
  if (target === MASKED) {
    target = (await revealedSettings())?.discord.webhookUrl ?? "";
    if (target === MASKED || target === "") {
      return { ok: false, text: "Could not read the stored webhook URL: enter it again." };
    }
  }
  if (target === "") {
    return { ok: false, text: "Enter the webhook URL first.", urlError: "Enter the webhook URL." };
  }
  try {
    const result: WebhookResult = await invoke("discord_test_webhook", { url: target });
    return { ok: result.success, text: sentence(result.message) };
  } catch (error) {
    return {
      ok: false,
      text: `The test was not sent: ${describeError(error)}`,
      urlError: argumentErrors(error).url,
    };
  }
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
