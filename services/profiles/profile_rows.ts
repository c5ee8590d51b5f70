import { AppError, Profile } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";
import { OpenError } from "@spiritstream/kit";
import type { DataKey } from "./crypto/data_keys.ts";
import {
  boxKdf,
  derivePasswordKey,
  openPasswordBox,
  parsePasswordBox,
  type PasswordKey,
  sameSalt,
  sealPasswordBox,
} from "./crypto/password_box.ts";
import { openSecrets, sealedKeyIds, sealSecrets } from "./profile_codec.ts";
import type { ProfileWrite, StoredProfile } from "./profile_store.ts";
import { mapSecrets } from "./secret_fields.ts";
import type { VaultContext } from "./vault_context.ts";

/* Turning stored rows into profiles and back: the only place that combines the password box
 * (whole profile) with the sealed secret fields (data keys). */

/** A stored row and the tenant it belongs to. */
export interface RowAt {
  tenantId: string;
  row: StoredProfile;
}

/** What {@linkcode sealProfileRow} seals, and with which keys. */
export interface SealOptions {
  /** The write transaction (the tenant's active data key is read inside it). */
  tx: Db;
  tenantId: string;
  /** The profile with its secrets in plain text. */
  profile: Profile;
  /** Boxes the whole profile when it is protected; null for a plain profile. */
  passwordKey: PasswordKey | null;
  /** Seals with this data key instead of the active one (rotation). */
  dataKey?: DataKey;
}

/** Binds a profile's password box to its tenant and id (a rename keeps the id). */
function boxAad(tenantId: string, profileId: string): string {
  return `spiritstream/profile/v1|${tenantId}|${profileId}`;
}

/** The message the UI turns into "Incorrect password" (it looks for "decrypt", §1.2). */
export const WRONG_PASSWORD = "Failed to decrypt profile: wrong password";

/** Refusal to write a protected profile that is locked: never a silent downgrade. */
export function lockedError(name: string): AppError {
  return new AppError(
    "failed_precondition",
    `Profile "${name}" is password-protected: unlock it with its password first`,
  );
}

/** The cached key of an unlocked protected profile, if it still matches the stored box. */
export function cachedUnlock(ctx: VaultContext, at: RowAt): PasswordKey | undefined {
  const { tenantId, row } = at;
  if (!row.isProtected) return undefined;
  const cached = ctx.sessions.get(tenantId, row.id);
  if (cached && sameSalt(cached.salt, boxKdf(parsePasswordBox(row.body)).salt)) return cached;
  if (cached) ctx.sessions.delete(tenantId, row.id); // re-protected elsewhere: stale
  return undefined;
}

/** Derives the key of a protected row from a password and proves it opens; caches the unlock. */
export async function unlockWithPassword(
  ctx: VaultContext,
  at: RowAt & { password: string },
): Promise<PasswordKey> {
  const { tenantId, row, password } = at;
  const box = parsePasswordBox(row.body);
  const { salt, params } = boxKdf(box);
  const key = await derivePasswordKey(password, salt, params);
  try {
    await openPasswordBox(key.key, box, boxAad(tenantId, row.id));
  } catch (error) {
    if (error instanceof OpenError) throw new AppError("invalid_argument", WRONG_PASSWORD);
    throw error;
  }
  ctx.sessions.set(tenantId, row.id, key);
  return key;
}

/** The stored profile with its secrets still sealed (protected rows need their key). */
export async function readSealed(at: RowAt, key?: PasswordKey): Promise<Profile> {
  const { tenantId, row } = at;
  let text = row.body;
  if (row.isProtected) {
    if (!key) throw new AppError("internal", "A protected profile was read without its key");
    try {
      text = await openPasswordBox(key.key, parsePasswordBox(row.body), boxAad(tenantId, row.id));
    } catch (error) {
      if (error instanceof OpenError) throw new AppError("invalid_argument", WRONG_PASSWORD);
      throw error;
    }
  }
  return JSON.parse(text) as Profile;
}

/** The stored profile with its secrets opened, parsed (defaults filled), `encrypted` set. */
export async function openStoredProfile(
  ctx: VaultContext,
  at: RowAt & { db: Db; key?: PasswordKey },
): Promise<Profile> {
  const { db, tenantId, row, key } = at;
  const sealed = await readSealed(at, key);
  const opened = await openSecrets(sealed, tenantId, (keyId) => ctx.keys.get(db, tenantId, keyId));
  if (ctx.redactor) await mapSecrets(opened, (value) => (ctx.redactor!.add(value), value));
  return Profile.parse({ ...opened, encrypted: row.isProtected });
}

/**
 * The row to store for a plaintext profile: every secret sealed with the tenant's active data
 * key (or `dataKey`), then the whole profile boxed under `passwordKey` when it is protected.
 */
export async function sealProfileRow(
  ctx: VaultContext,
  options: SealOptions,
): Promise<ProfileWrite> {
  const { tx, tenantId, profile } = options;
  const dataKey = options.dataKey ?? await ctx.keys.active(tx, tenantId);
  if (ctx.redactor) await mapSecrets(profile, (value) => (ctx.redactor!.add(value), value));
  const sealed = await sealSecrets({ ...profile, encrypted: false }, tenantId, dataKey);
  const json = JSON.stringify(sealed);
  const body = options.passwordKey
    ? JSON.stringify(await sealPasswordBox(options.passwordKey, json, boxAad(tenantId, profile.id)))
    : json;
  return {
    id: profile.id,
    name: profile.name,
    isProtected: options.passwordKey !== null,
    body,
    keyIds: await sealedKeyIds(sealed),
  };
}
