import { AppError, MASKED_SECRET, type Profile } from "@spiritstream/contracts";
import { isEnvReference, mapSecrets, secretsBySlot } from "./secret_fields.ts";

/** A copy with secrets shown as {@linkcode MASKED_SECRET}; empty values and `${ENV}` stay. */
export function maskSecrets(profile: Profile): Promise<Profile> {
  return mapSecrets(profile, (value) => {
    if (value === "" || isEnvReference(value)) return value;
    return MASKED_SECRET;
  });
}

/**
 * Replaces every {@linkcode MASKED_SECRET} of an incoming profile with the stored value of the
 * same slot (a stream key follows its target id, even into another group). A mask with nothing
 * stored behind it is refused: silently saving the dots as a key would break the stream.
 */
export async function keepMaskedSecrets(
  incoming: Profile,
  stored: Profile | null,
): Promise<Profile> {
  const known = stored ? await secretsBySlot(stored) : new Map<string, string>();
  return await mapSecrets(incoming, (value, slot) => {
    if (value !== MASKED_SECRET) return value;
    const kept = known.get(slot.slot);
    if (kept === undefined) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "${slot.path}": the masked value only keeps a secret already stored for it; enter the secret again`,
      );
    }
    return kept;
  });
}
