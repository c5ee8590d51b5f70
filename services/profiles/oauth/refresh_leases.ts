import type { OAuthProvider } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";

/**
 * Who refreshes a sign-in right now, across replicas: a rotated refresh token is good once, so
 * two replicas spending it at the same time would sign the user out. A lease runs out by itself
 * (a replica that died holding one blocks nobody for long).
 */
export class RefreshLeases {
  readonly #db: Db;
  readonly #holder = crypto.randomUUID();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(db: Db, options: { ttlMs?: number; now?: () => number } = {}) {
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? 30_000;
    this.#now = options.now ?? Date.now;
  }

  /** Takes the lease of a sign-in; false when another replica holds it. */
  async claim(tenantId: string, provider: OAuthProvider): Promise<boolean> {
    const now = this.#now();
    const changed = await this.#db.exec(
      `INSERT INTO oauth_refresh_leases (tenant_id, provider, holder, until_ms)
VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, provider) DO UPDATE SET holder = excluded.holder,
  until_ms = excluded.until_ms
WHERE oauth_refresh_leases.until_ms < $5 OR oauth_refresh_leases.holder = excluded.holder`,
      [tenantId, provider, this.#holder, now + this.#ttlMs, now],
    );
    return changed > 0;
  }

  /** Gives the lease back. */
  async release(tenantId: string, provider: OAuthProvider): Promise<void> {
    await this.#db.exec(
      "DELETE FROM oauth_refresh_leases WHERE tenant_id = $1 AND provider = $2 AND holder = $3",
      [tenantId, provider, this.#holder],
    );
  }
}
