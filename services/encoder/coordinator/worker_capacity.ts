import { z } from "zod";
import { AppError } from "@spiritstream/contracts";
import type { LeaseStore } from "../leases/lease_store.ts";
import { storeKey } from "../leases/store_key.ts";

/**
 * `worker.<id>`: how many tenants a worker runs and its limit, so a worker answering a start can
 * tell that no worker will take the tenant. `expiresAt` as in a lease: a worker that died stops
 * counting once it passes.
 */
export const WorkerCapacityEntry = z.object({
  tenants: z.number().int().min(0),
  /** null: no limit. */
  limit: z.number().int().min(1).nullable(),
  expiresAt: z.number(),
});
export type WorkerCapacityEntry = z.infer<typeof WorkerCapacityEntry>;

/** No encoder worker has room for another tenant: every one is at its limit. */
export class WorkersFullError extends AppError {
  readonly limit: number;
  constructor(limit: number) {
    super(
      "unavailable",
      `Every encoder worker is at its limit of ${limit} stream${limit === 1 ? "" : "s"} ` +
        "(SPIRITSTREAM_WORKER_MAX_TENANTS); try again when a stream ends or a worker is added",
    );
    this.limit = limit;
  }
}

/** An entry expired for this many TTLs belongs to a worker that is gone: it is deleted. */
const STALE_TTLS = 10;

/** Options for {@linkcode WorkerCapacity}. */
export interface WorkerCapacityOptions {
  workerId: string;
  limit: number | null;
  /** An entry not rewritten for this long no longer counts. */
  ttlMs: number;
  /** An unchanged entry is rewritten this often. */
  refreshMs: number;
}

/** This worker's capacity entry in the lease store, and what the others' entries say. */
export class WorkerCapacity {
  readonly #store: LeaseStore;
  readonly #options: WorkerCapacityOptions;
  readonly #key: string;
  #written = { tenants: -1, at: 0 };

  constructor(store: LeaseStore, options: WorkerCapacityOptions) {
    this.#store = store;
    this.#options = options;
    this.#key = storeKey("worker", options.workerId);
  }

  /** Writes this worker's entry when its count changed or it is due a refresh. */
  async publish(tenants: number): Promise<void> {
    const now = Date.now();
    const { tenants: last, at } = this.#written;
    if (tenants === last && now < at + this.#options.refreshMs) return;
    this.#written = { tenants, at: now };
    const entry: WorkerCapacityEntry = {
      tenants,
      limit: this.#options.limit,
      expiresAt: now + this.#options.ttlMs,
    };
    await this.#store.put(this.#key, entry).catch((error) => {
      this.#written = { tenants: -1, at: 0 };
      throw error;
    });
  }

  /**
   * The limit every live worker has reached, or null when some live worker has room (or has no
   * limit, or no worker reported yet).
   */
  async everyWorkerFull(): Promise<number | null> {
    const now = Date.now();
    const entries: WorkerCapacityEntry[] = [];
    for (const key of await this.#store.keys("worker")) {
      const stored = await this.#store.get(key);
      const parsed = WorkerCapacityEntry.safeParse(stored?.value);
      if (parsed.success && parsed.data.expiresAt > now) entries.push(parsed.data);
      // Pods come and go under new names: forget a worker gone for long (unless it wrote since).
      else if (
        stored &&
        (!parsed.success || parsed.data.expiresAt < now - STALE_TTLS * this.#options.ttlMs)
      ) {
        await this.#store.delete(key, stored.revision).catch(() => {});
      }
    }
    if (!entries.length) return null;
    let limit = 0;
    for (const entry of entries) {
      if (entry.limit === null || entry.tenants < entry.limit) return null;
      limit = Math.max(limit, entry.limit);
    }
    return limit;
  }

  /** Removes this worker's entry (it stops). */
  async withdraw(): Promise<void> {
    await this.#store.delete(this.#key).catch(() => {});
  }
}
