import { AppError, type OAuthProvider } from "@spiritstream/contracts";
import { aesOpenText, aesSeal, fromBase64, toBase64 } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import type { DataKeyring } from "../crypto/data_keys.ts";
import { lockTenant } from "../lock_tenant.ts";
import { randomToken } from "./pkce.ts";

/** Who started a sign-in: the state is only good for the same caller, profile and provider. */
export interface FlowOwner {
  tenantId: string;
  /** The signed-in user, null on an open desktop host. */
  userId: string | null;
  profileId: string;
  provider: OAuthProvider;
}

/** A pending sign-in. */
export interface PendingFlow extends FlowOwner {
  verifier: string;
  redirectUri: string;
  expiresAt: number;
}

/** What {@linkcode FlowStates} is built with. */
export interface FlowStatesOptions {
  db: Db;
  keys: DataKeyring;
  /** How long a started sign-in may take. @default 180 s */
  ttlMs?: number;
  now?: () => number;
  /** At most this many sign-ins of one tenant wait at once (the oldest is dropped). @default 20 */
  max?: number;
}

type FlowRow = {
  tenant_id: string;
  user_id: string;
  profile_id: string;
  provider: string;
  verifier: string;
  redirect_uri: string;
  expires_at: number | string;
};

/**
 * The sign-ins started and not yet finished, in the `oauth_flows` table so that any replica can
 * finish one. A state is taken once (`DELETE … RETURNING`): a replay, a state we never issued,
 * one past its time, or one presented by another caller or for another provider is refused, and
 * a refused mismatch burns the state too. Only a hash of the state is stored; the PKCE verifier
 * is sealed with the tenant's data key.
 */
export class FlowStates {
  readonly #db: Db;
  readonly #keys: DataKeyring;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;

  constructor(options: FlowStatesOptions) {
    this.#db = options.db;
    this.#keys = options.keys;
    this.#ttlMs = options.ttlMs ?? 180_000;
    this.#now = options.now ?? Date.now;
    this.#max = options.max ?? 20;
  }

  /** Records a sign-in; returns its state (`<provider>.<random>`, so a callback knows the provider). */
  async add(owner: FlowOwner, secrets: { verifier: string; redirectUri: string }): Promise<string> {
    const state = `${owner.provider}.${randomToken()}`;
    const hash = await hashOf(state);
    const now = this.#now();
    await this.#db.transaction(async (tx) => {
      await lockTenant(tx, owner.tenantId);
      await tx.exec("DELETE FROM oauth_flows WHERE expires_at <= $1", [now]);
      const waiting = await tx.query<{ state_hash: string }>(
        "SELECT state_hash FROM oauth_flows WHERE tenant_id = $1 ORDER BY expires_at DESC",
        [owner.tenantId],
      );
      for (const old of waiting.slice(this.#max - 1)) {
        await tx.exec("DELETE FROM oauth_flows WHERE state_hash = $1", [old.state_hash]);
      }
      const key = await this.#keys.active(tx, owner.tenantId);
      const sealed = await aesSeal(key.key, secrets.verifier, aad(owner.tenantId, hash, key.id));
      await tx.exec(
        `INSERT INTO oauth_flows (state_hash, tenant_id, user_id, profile_id, provider, verifier,
redirect_uri, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          hash,
          owner.tenantId,
          owner.userId ?? "",
          owner.profileId,
          owner.provider,
          `${key.id}:${toBase64(sealed)}`,
          secrets.redirectUri,
          now + this.#ttlMs,
        ],
      );
    });
    return state;
  }

  /** Takes the sign-in of `state` for `caller`, or throws why not. */
  async take(state: string, caller: Omit<FlowOwner, "profileId">): Promise<PendingFlow> {
    const hash = await hashOf(state);
    const [row] = await this.#db.query<FlowRow>(
      "DELETE FROM oauth_flows WHERE state_hash = $1 RETURNING *",
      [hash],
    );
    if (!row) {
      throw new AppError(
        "failed_precondition",
        'Invalid argument "state": no sign-in is waiting for it (already used, expired or never started): sign in again',
      );
    }
    if (Number(row.expires_at) <= this.#now()) {
      throw new AppError(
        "failed_precondition",
        `Invalid argument "state": the sign-in took longer than ${
          Math.round(this.#ttlMs / 1000)
        } s: sign in again`,
      );
    }
    if (
      row.tenant_id !== caller.tenantId || row.user_id !== (caller.userId ?? "") ||
      row.provider !== caller.provider
    ) {
      throw new AppError(
        "permission_denied",
        'Invalid argument "state": this sign-in was started by another user or for another provider',
      );
    }
    return {
      tenantId: row.tenant_id,
      userId: caller.userId,
      profileId: row.profile_id,
      provider: caller.provider,
      verifier: await this.#open(row.tenant_id, hash, row.verifier),
      redirectUri: row.redirect_uri,
      expiresAt: Number(row.expires_at),
    };
  }

  async #open(tenantId: string, hash: string, stored: string): Promise<string> {
    const cut = stored.indexOf(":");
    const keyId = stored.slice(0, cut);
    try {
      const key = await this.#keys.get(this.#db, tenantId, keyId);
      return await aesOpenText(key, fromBase64(stored.slice(cut + 1)), aad(tenantId, hash, keyId));
    } catch {
      // E.g. the tenant's keys were rotated meanwhile (rotate_machine_key drops the old ones).
      throw new AppError(
        "failed_precondition",
        "This sign-in can no longer be finished: sign in again",
      );
    }
  }
}

function aad(tenantId: string, hash: string, keyId: string): string {
  return `spiritstream/oauth-verifier/v1|${tenantId}|${hash}|${keyId}`;
}

async function hashOf(state: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(state));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
