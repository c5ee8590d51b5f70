import type { Profile } from "@spiritstream/contracts";

/** Where a secret sits: `path` names the field for errors, `slot` is stable across edits. */
export interface SecretSlot {
  /** E.g. `profile.outputGroups.0.streamTargets.1.streamKey`. */
  path: string;
  /** E.g. `target:<target id>` or `settings.obs.password`. */
  slot: string;
}

/** The secret settings fields (SpiritStream §4.5), by their path inside `settings`. */
const SETTINGS_SECRETS = [
  ["obs", "password"],
  ["discord", "webhookUrl"],
  ["alerts", "webhookUrl"],
  ["backend", "token"],
  ["chat", "youtubeApiKey"],
  ["oauth", "twitch", "accessToken"],
  ["oauth", "twitch", "refreshToken"],
  ["oauth", "youtube", "accessToken"],
  ["oauth", "youtube", "refreshToken"],
] as const;

/**
 * Returns a copy of the profile with every secret string (stream keys, the ingest key and SRT
 * passphrase, the secret settings) replaced by `fn(value, slot)`; absent ones stay absent.
 */
export async function mapSecrets(
  profile: Profile,
  fn: (value: string, slot: SecretSlot) => string | Promise<string>,
): Promise<Profile> {
  const copy = structuredClone(profile);
  for (const field of ["streamKey", "srtPassphrase"] as const) {
    const value = copy.input[field];
    if (typeof value === "string") {
      copy.input[field] = await fn(value, {
        path: `profile.input.${field}`,
        slot: `input.${field}`,
      });
    }
  }
  for (const [g, group] of copy.outputGroups.entries()) {
    for (const [t, target] of group.streamTargets.entries()) {
      target.streamKey = await fn(target.streamKey, {
        path: `profile.outputGroups.${g}.streamTargets.${t}.streamKey`,
        slot: `target:${target.id}`,
      });
    }
  }
  for (const path of SETTINGS_SECRETS) {
    // deno-lint-ignore no-explicit-any
    let holder: any = copy.settings;
    for (const part of path.slice(0, -1)) holder = holder?.[part];
    const field = path[path.length - 1]!;
    if (holder && typeof holder[field] === "string") {
      const name = `settings.${path.join(".")}`;
      holder[field] = await fn(holder[field], {
        path: `profile.${name}`,
        slot: name,
      });
    }
  }
  return copy;
}

/** Every secret of a profile by slot (for lookups while merging masked values). */
export async function secretsBySlot(profile: Profile): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  await mapSecrets(profile, (value, slot) => {
    found.set(slot.slot, value);
    return value;
  });
  return found;
}

/** `${NAME}`: a reference resolved when a stream starts, not a secret itself (§4.5). */
export function isEnvReference(value: string): boolean {
  return value.length > 3 && value.startsWith("${") && value.endsWith("}");
}
