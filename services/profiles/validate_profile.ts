import {
  AppError,
  ingestKeyProblem,
  MASKED_SECRET,
  normaliseTargetUrl,
  type OutputGroup,
  type Profile,
  StreamUrl,
} from "@spiritstream/contracts";
import { envReferenceName, keyEnvRefusal } from "@spiritstream/kit";

import { discordWebhookProblem, httpsUrlProblem } from "./discord/webhook_url.ts";

/* Rules a profile must meet to be saved, beyond its schema: ranges of encoded groups, unique ids,
 * usable URLs. Each problem names the field path and the rule, like `describeZodError`. */

const SAMPLE_RATES = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 88200, 96000];
const ID = /^[^\s\p{Cc}]{1,128}$/u;
const ID_RULE = "must be 1 to 128 characters without spaces or control characters";
const NO_SPACE = /^[^\s\p{Cc}]*$/u;

/** Options for {@linkcode validateProfile}. */
export interface ValidateProfileOptions {
  /** The path errors name fields under. @default "profile" */
  root?: string;
  /** Names besides `SPIRITSTREAM_KEY_*` that `${NAME}` stream keys may name. @default [] */
  keyEnvAllow?: readonly string[];
  /** `SPIRITSTREAM_WEBHOOK_BASE`: another HTTPS prefix a Discord webhook URL may start with. */
  webhookBase?: string | null;
}

/** Throws `invalid_argument` naming up to three problems; returns when the profile is fine. */
export function validateProfile(profile: Profile, options: ValidateProfileOptions = {}): void {
  const root = options.root ?? "profile";
  const problems: string[] = [];
  const fail = (path: string, rule: string) =>
    problems.push(`Invalid argument "${root}.${path}": ${rule}`);

  if (!ID.test(profile.id)) fail("id", ID_RULE);
  checkInput(profile, fail);
  const groupIds = new Set<string>();
  const targetIds = new Map<string, string>();
  for (const [g, group] of profile.outputGroups.entries()) {
    const at = `outputGroups.${g}`;
    if (!ID.test(group.id)) fail(`${at}.id`, ID_RULE);
    else if (groupIds.has(group.id)) {
      fail(`${at}.id`, `duplicate output group id "${group.id}": ids must be unique`);
    }
    groupIds.add(group.id);
    checkVideo(group, `${at}.video`, fail);
    checkAudio(group, `${at}.audio`, fail);
    for (const [t, target] of group.streamTargets.entries()) {
      const where = `${at}.streamTargets.${t}`;
      if (!ID.test(target.id)) fail(`${where}.id`, ID_RULE);
      else if (targetIds.has(target.id)) {
        fail(
          `${where}.id`,
          `duplicate stream target id "${target.id}" (also at ${
            targetIds.get(target.id)
          }): ids must be unique across the profile`,
        );
      } else targetIds.set(target.id, where);
      checkTargetUrl(target.service, target.url, `${where}.url`, fail);
      if (target.streamKey.length > 4096) {
        fail(`${where}.streamKey`, "must be at most 4096 characters");
      } else if (!NO_SPACE.test(target.streamKey)) {
        fail(`${where}.streamKey`, "must not contain spaces or control characters");
      } else {
        const refusal = keyReferenceRefusal(target.streamKey, options.keyEnvAllow);
        if (refusal) fail(`${where}.streamKey`, refusal);
      }
    }
  }
  const webhook = profile.settings.discord.webhookUrl;
  if (webhook !== "" && webhook !== MASKED_SECRET) {
    const problem = discordWebhookProblem(webhook, options.webhookBase ?? null);
    if (problem) fail("settings.discord.webhookUrl", problem);
  }
  const alerts = profile.settings.alerts;
  if (alerts.webhookUrl !== "" && alerts.webhookUrl !== MASKED_SECRET) {
    const problem = alerts.format === "discord"
      ? discordWebhookProblem(alerts.webhookUrl, options.webhookBase ?? null)
      : httpsUrlProblem(alerts.webhookUrl);
    if (problem) fail("settings.alerts.webhookUrl", problem);
  }
  if (problems.length > 0) {
    throw new AppError("invalid_argument", problems.slice(0, 3).join("; "));
  }
}

type Fail = (path: string, rule: string) => void;

/**
 * Why a stream key's `${NAME}` reference may not be stored, or null (a plain key, or a name the
 * operator allows): the key goes to a URL of the caller's choice, so it must not read the host's
 * secrets.
 */
export function keyReferenceRefusal(
  streamKey: string,
  keyEnvAllow: readonly string[] = [],
): string | null {
  const name = envReferenceName(streamKey);
  return name === null ? null : keyEnvRefusal(name, keyEnvAllow);
}

function checkInput(profile: Profile, fail: Fail): void {
  const { input } = profile;
  if (!/^[A-Za-z0-9.:[\]_-]+$/.test(input.bindAddress)) {
    fail("input.bindAddress", "must be an IP address or host name");
  }
  if (!/^[A-Za-z0-9._-]{0,64}$/.test(input.application)) {
    fail("input.application", 'must be one path segment of letters, digits, ".", "_" or "-"');
  }
  if (input.streamKey && !NO_SPACE.test(input.streamKey)) {
    fail("input.streamKey", "must not contain spaces or control characters");
  }
  // A masked key counts as set: merging it with the stored one refuses a mask with nothing behind.
  const open = ingestKeyProblem(input);
  if (open) fail(`input.${open.field}`, open.rule);
}

function isCopy(codec: string): boolean {
  return codec.trim().toLowerCase() === "copy";
}

function checkVideo(group: OutputGroup, at: string, fail: Fail): void {
  const { video } = group;
  if (isCopy(video.codec)) return; // passthrough: the numbers are not used
  for (const field of ["width", "height"] as const) {
    const value = video[field];
    if (value < 16 || value > 8192 || value % 2 !== 0) {
      fail(`${at}.${field}`, "must be an even number from 16 to 8192 for an encoded group");
    }
  }
  if (video.fps < 1 || video.fps > 240) {
    fail(`${at}.fps`, "must be from 1 to 240 for an encoded group");
  }
  const kbps = bitrateKbps(video.bitrate);
  if (!(kbps >= 100 && kbps <= 200_000)) {
    fail(`${at}.bitrate`, "must be from 100k to 200M for an encoded group");
  }
  const gop = video.keyframeIntervalSeconds;
  if (gop !== null && gop !== undefined && gop > 60) {
    fail(`${at}.keyframeIntervalSeconds`, "must be from 0 to 60 seconds");
  }
}

function checkAudio(group: OutputGroup, at: string, fail: Fail): void {
  const { audio } = group;
  if (isCopy(audio.codec)) return;
  if (audio.channels < 1 || audio.channels > 8) {
    fail(`${at}.channels`, "must be from 1 to 8 for encoded audio");
  }
  if (!SAMPLE_RATES.includes(audio.sampleRate)) {
    fail(`${at}.sampleRate`, `must be one of ${SAMPLE_RATES.join(", ")} Hz for encoded audio`);
  }
  const kbps = bitrateKbps(audio.bitrate);
  if (!(kbps >= 8 && kbps <= 1024)) {
    fail(`${at}.bitrate`, "must be from 8k to 1024k for encoded audio");
  }
}

function checkTargetUrl(service: string, url: string, at: string, fail: Fail): void {
  if (url.length > 2048) return fail(at, "must be at most 2048 characters");
  if (/\s/.test(url.trim())) return fail(at, "must not contain spaces");
  let normalised: string;
  try {
    normalised = normaliseTargetUrl({ service, url });
  } catch {
    return fail(at, `must not be empty for a ${service} target (it has no preset server URL)`);
  }
  const result = StreamUrl.safeParse(normalised);
  if (!result.success) fail(at, result.error.issues[0]!.message);
}

/** `"6000k"` → 6000, `"8M"` → 8000, `"128000"` (bit/s) → 128. */
export function bitrateKbps(bitrate: string): number {
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(bitrate.trim());
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  return unit === "m" ? value * 1000 : unit === "k" ? value : value / 1000;
}
