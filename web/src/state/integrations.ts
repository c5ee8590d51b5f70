import { computed, effect } from "@preact/signals";
import type { Profile, WebhookResult } from "@spiritstream/contracts";
import { ApiError, describeError } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import { act } from "./actions.ts";
import { active, loadProfile, MASKED, saveProfile, setActive } from "./profiles.ts";
import { groups } from "./stream.ts";
import { toast } from "./toasts.ts";

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

/** How long a start may take to reach the air before its go-live message is given up. */
const ANNOUNCE_WITHIN_MS = 10 * 60_000;
let announcing: (() => void) | null = null;

/** Whether a platform receives us: a target is live (a group may run while its targets retry). */
const reachingViewers = computed(() =>
  Object.values(groups.value).some((g) => Object.values(g.targets).some((t) => t.state === "live"))
);

/**
 * This tab just started streaming: once a target is live, posts the active profile's Discord
 * go-live message (the server applies the cooldown). Only the tab that pressed start posts, and
 * only on the flip to live, so a reload or a second tab says nothing.
 */
export function announceWhenLive(): void {
  if (!active.value?.settings.discord.webhookEnabled || reachingViewers.value || announcing) return;
  const timer = setTimeout(() => cancel(), ANNOUNCE_WITHIN_MS);
  let stop = () => {};
  function cancel(): void {
    clearTimeout(timer);
    stop();
    announcing = null;
  }
  announcing = cancel;
  stop = effect(() => {
    if (!reachingViewers.value) return;
    cancel();
    void postGoLive();
  });
}

/** Stopped before reaching the air: nothing to announce. */
export function cancelAnnouncement(): void {
  announcing?.();
}

async function postGoLive(): Promise<void> {
  const result = await act(
    "post the go-live message to Discord",
    () => invoke("discord_send_notification"),
  );
  if (!result || result.skippedCooldown) return;
  if (result.success) toast("Go-live message posted to Discord.", "success");
  else toast(`Discord go-live message not sent: ${sentence(result.message)}`, "error");
}
