import { AppError, type Profile, type ProfileSummary } from "@spiritstream/contracts";
import { derivePasswordKey, type PasswordKey } from "./crypto/password_box.ts";
import { lockTenant } from "./lock_tenant.ts";
import { keepMaskedSecrets } from "./masking.ts";
import {
  cachedUnlock,
  lockedError,
  openStoredProfile,
  readSealed,
  sealProfileRow,
  unlockWithPassword,
} from "./profile_rows.ts";
import { createProfileStore, type StoredProfile } from "./profile_store.ts";
import { lockedSummary, summarizeProfile } from "./summarize_profile.ts";
import { validateProfile } from "./validate_profile.ts";
import type { VaultContext } from "./vault_context.ts";

/** The profiles of every tenant with their secrets sealed at rest. */
export interface ProfileVault {
  /**
   * A profile with its secrets in plain text (callers mask them). A protected profile needs its
   * password, or an unlock still cached from an earlier load; a correct password unlocks it.
   */
  load(tenantId: string, name: string, password?: string | null): Promise<Profile>;
  /**
   * Saves by id (a rename moves the profile). `password`: a non-empty string protects the
   * profile with it; `null`/absent keeps the current protection (a protected profile must be
   * unlocked); `""` removes protection, only from an unlocked profile.
   */
  save(tenantId: string, profile: Profile, password?: string | null): Promise<SaveResult>;
  /** Deletes by name and locks it; `not_found` when there is no such profile. */
  remove(tenantId: string, name: string): Promise<void>;
  /** Names in display order. */
  names(tenantId: string): Promise<string[]>;
  summaries(tenantId: string): Promise<ProfileSummary[]>;
  isProtected(tenantId: string, name: string): Promise<boolean>;
  /** Remembers the profile `load_profile` made active. */
  setActive(tenantId: string, profileId: string): Promise<void>;
  /** The active profile in plain text; null when none is active or it is locked. */
  active(tenantId: string): Promise<Profile | null>;
}

/** What a save changed. */
export interface SaveResult {
  /** The old name when the save renamed the profile. */
  previousName: string | null;
}

/** How many times a save re-plans when another request changed the profile meanwhile. */
const SAVE_ATTEMPTS = 5;

/** Creates the vault over a context. */
export function createProfileVault(ctx: VaultContext): ProfileVault {
  const profiles = createProfileStore(ctx.db);

  async function find(tenantId: string, name: string): Promise<StoredProfile> {
    const row = await profiles.byName(tenantId, name);
    if (!row) throw new AppError("not_found", `Profile "${name}" not found`);
    return row;
  }

  /** Which key opens the stored row and which one seals the new one (null = not protected). */
  async function planKeys(
    tenantId: string,
    current: StoredProfile | null,
    password: string | null | undefined,
  ): Promise<{ read?: PasswordKey; write: PasswordKey | null }> {
    if (!current?.isProtected) {
      return { write: password ? await derivePasswordKey(password) : null };
    }
    const unlocked = cachedUnlock(ctx, { tenantId, row: current });
    if (password === "") {
      // Removing protection is explicit (empty password) and needs the profile unlocked.
      if (!unlocked) throw lockedError(current.name);
      return { read: unlocked, write: null };
    }
    if (password) {
      if (unlocked) return { read: unlocked, write: await derivePasswordKey(password) };
      // Not unlocked: the password must be the current one (it unlocks, then keeps protecting).
      const key = await unlockWithPassword(ctx, { tenantId, row: current, password });
      return { read: key, write: key };
    }
    if (!unlocked) throw lockedError(current.name);
    return { read: unlocked, write: unlocked };
  }

  return {
    async load(tenantId, name, password) {
      const row = await find(tenantId, name);
      let key: PasswordKey | undefined;
      if (row.isProtected) {
        key = password
          ? await unlockWithPassword(ctx, { tenantId, row, password })
          : cachedUnlock(ctx, { tenantId, row });
        if (!key) {
          throw new AppError(
            "failed_precondition",
            `Password required for encrypted profile "${name}"`,
          );
        }
      }
      return await openStoredProfile(ctx, { db: ctx.db, tenantId, row, key });
    },

    async save(tenantId, profile, password) {
      validateProfile(profile, { keyEnvAllow: ctx.keyEnvAllow, webhookBase: ctx.webhookBase });
      for (let attempt = 1;; attempt++) {
        const before = await profiles.byId(tenantId, profile.id);
        const keys = await planKeys(tenantId, before, password);
        const result = await ctx.db.transaction(async (tx) => {
          await lockTenant(tx, tenantId);
          const store = createProfileStore(tx);
          const current = await store.byId(tenantId, profile.id);
          if (!sameVersion(current, before)) return null; // changed meanwhile: plan again
          const stored = current
            ? await openStoredProfile(ctx, { db: tx, tenantId, row: current, key: keys.read })
            : null;
          const merged = await keepMaskedSecrets(profile, stored);
          const write = await sealProfileRow(ctx, {
            tx,
            tenantId,
            profile: merged,
            passwordKey: keys.write,
          });
          return await store.put(tenantId, write);
        });
        if (result) {
          if (keys.write) ctx.sessions.set(tenantId, profile.id, keys.write);
          else ctx.sessions.delete(tenantId, profile.id);
          return result;
        }
        if (attempt >= SAVE_ATTEMPTS) {
          throw new AppError(
            "conflict",
            `Profile "${profile.name}" keeps changing while it is saved: try again`,
          );
        }
      }
    },

    async remove(tenantId, name) {
      const removed = await ctx.db.transaction(async (tx) => {
        await lockTenant(tx, tenantId);
        const store = createProfileStore(tx);
        const row = await store.byName(tenantId, name);
        if (!row) return null;
        if (await store.activeProfileId(tenantId) === row.id) {
          await store.setActiveProfile(tenantId, null);
        }
        await store.remove(tenantId, row.id);
        return row;
      });
      if (!removed) throw new AppError("not_found", `Profile "${name}" not found`);
      ctx.sessions.delete(tenantId, removed.id);
    },

    async names(tenantId) {
      return (await profiles.list(tenantId)).map((row) => row.name);
    },

    async summaries(tenantId) {
      const rows = await profiles.list(tenantId);
      return await Promise.all(rows.map(async (row) => {
        if (!row.isProtected) return summarizeProfile(await readSealed({ tenantId, row }), false);
        const key = cachedUnlock(ctx, { tenantId, row });
        if (!key) return lockedSummary(row.id, row.name);
        return summarizeProfile(await readSealed({ tenantId, row }, key), true);
      }));
    },

    async isProtected(tenantId, name) {
      return (await profiles.byName(tenantId, name))?.isProtected ?? false;
    },

    async setActive(tenantId, profileId) {
      await profiles.setActiveProfile(tenantId, profileId);
    },

    async active(tenantId) {
      const id = await profiles.activeProfileId(tenantId);
      const row = id ? await profiles.byId(tenantId, id) : null;
      if (!row) return null;
      const key = row.isProtected ? cachedUnlock(ctx, { tenantId, row }) : undefined;
      if (row.isProtected && !key) return null;
      return await openStoredProfile(ctx, { db: ctx.db, tenantId, row, key });
    },
  };
}

function sameVersion(a: StoredProfile | null, b: StoredProfile | null): boolean {
  if (a === null || b === null) return a === b;
  return a.updatedAt === b.updatedAt && a.body === b.body && a.name === b.name;
}
