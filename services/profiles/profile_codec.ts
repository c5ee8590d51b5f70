import { AppError, type Profile } from "@spiritstream/contracts";
import { aesOpenText, aesSeal, fromBase64, toBase64 } from "@spiritstream/kit";
import type { DataKey } from "./crypto/data_keys.ts";
import { mapSecrets } from "./secret_fields.ts";

/** A sealed secret at rest: `SS1:<data key id>:<base64(nonce ‖ ciphertext ‖ tag)>`. */
const SEALED = /^SS1:([a-z0-9-]{1,64}):([A-Za-z0-9+/]+={0,2})$/;

/** Binds a sealed secret to its tenant, profile and key: a value copied elsewhere won't open. */
function secretAad(tenantId: string, profileId: string, keyId: string): string {
  return `spiritstream/secret/v1|${tenantId}|${profileId}|${keyId}`;
}

/** A copy of the profile with every non-empty secret sealed under `dataKey`. */
export function sealSecrets(
  profile: Profile,
  tenantId: string,
  dataKey: DataKey,
): Promise<Profile> {
  return mapSecrets(profile, async (value) => {
    if (value === "") return value;
    const sealed = await aesSeal(dataKey.key, value, secretAad(tenantId, profile.id, dataKey.id));
    return `SS1:${dataKey.id}:${toBase64(sealed)}`;
  });
}

/** A copy of a sealed profile with its secrets opened; `keyFor` finds each data key. */
export function openSecrets(
  profile: Profile,
  tenantId: string,
  keyFor: (keyId: string) => Promise<CryptoKey>,
): Promise<Profile> {
  return mapSecrets(profile, async (value, slot) => {
    if (value === "") return value;
    const match = SEALED.exec(value);
    if (!match) {
      // Never reached by our own writes: a plaintext secret at rest is a bug, not a value to use.
      throw new AppError("internal", `Stored secret "${slot.path}" of a profile is not sealed`);
    }
    const keyId = match[1]!;
    try {
      return await aesOpenText(
        await keyFor(keyId),
        fromBase64(match[2]!),
        secretAad(tenantId, profile.id, keyId),
      );
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError("internal", `Stored secret "${slot.path}" does not decrypt`, {
        cause: error,
      });
    }
  });
}

/** The data key ids a sealed profile uses. */
export async function sealedKeyIds(profile: Profile): Promise<string[]> {
  const ids = new Set<string>();
  await mapSecrets(profile, (value) => {
    const match = SEALED.exec(value);
    if (match) ids.add(match[1]!);
    return value;
  });
  return [...ids].sort();
}
