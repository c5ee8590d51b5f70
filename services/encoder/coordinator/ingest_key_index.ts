import type { IngestSpecValue } from "./desired_state.ts";
import type { TenantRecords } from "./tenant_records.ts";

/**
 * Which tenant's desired ingest has which spec, in memory, so a publish on a worker's shared
 * ingest finds its tenant without reading (and unsealing) every tenant's desired state. Kept by
 * the coordinator's watch of `desired.*`; a key not found triggers one full re-read at most every
 * `minScanMs` (a missed watch update heals, a flood of unknown keys costs nothing more).
 */
export class IngestKeyIndex {
  readonly #records: TenantRecords;
  readonly #minScanMs: number;
  readonly #specs = new Map<string, IngestSpecValue>();
  #lastScanAt = -Infinity;
  #scanning: Promise<void> | null = null;

  constructor(records: TenantRecords, options: { minScanMs?: number } = {}) {
    this.#records = records;
    this.#minScanMs = options.minScanMs ?? 1000;
  }

  /** Re-reads one tenant's desired ingest (after a change of its desired state). */
  async refresh(tenantId: string): Promise<void> {
    const spec = (await this.#records.desired(tenantId).catch(() => null))?.ingest?.spec;
    if (spec) this.#specs.set(tenantId, spec);
    else this.#specs.delete(tenantId);
  }

  /** Re-reads every tenant's desired ingest. */
  scan(): Promise<void> {
    this.#scanning ??= this.#scan().finally(() => (this.#scanning = null));
    return this.#scanning;
  }

  /** The tenant whose ingest `matches`; on a miss, re-reads everything if not done lately. */
  async find(matches: (spec: IngestSpecValue) => boolean): Promise<string | null> {
    const hit = this.#lookup(matches);
    if (hit !== null || Date.now() - this.#lastScanAt < this.#minScanMs) return hit;
    await this.scan();
    return this.#lookup(matches);
  }

  /**
   * The desired ingest `matches`, from memory only (an SRT caller's handshake cannot wait); a
   * miss re-reads everything in the background, if not done lately, for the caller's next try.
   */
  peek(matches: (spec: IngestSpecValue) => boolean): IngestSpecValue | null {
    const tenantId = this.#lookup(matches);
    if (tenantId === null) {
      void this.find(matches).catch(() => {});
      return null;
    }
    return this.#specs.get(tenantId) ?? null;
  }

  async #scan(): Promise<void> {
    this.#lastScanAt = Date.now();
    const tenants = await this.#records.desiredTenants();
    for (const tenantId of [...this.#specs.keys()]) {
      if (!tenants.includes(tenantId)) this.#specs.delete(tenantId);
    }
    for (const tenantId of tenants) await this.refresh(tenantId);
  }

  #lookup(matches: (spec: IngestSpecValue) => boolean): string | null {
    // Every spec is compared (constant-time key compares inside `matches`), not the first only.
    // A key two tenants share names neither: routing a publisher by whichever came first would
    // send one tenant's stream to the other's destinations.
    let found: string | null = null;
    let count = 0;
    for (const [tenantId, spec] of this.#specs) {
      if (matches(spec)) {
        count++;
        found ??= tenantId;
      }
    }
    return count === 1 ? found : null;
  }
}
