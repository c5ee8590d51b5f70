import { AppError } from "@spiritstream/contracts";
import { DesiredState, StatusReport, TargetFlags } from "./desired_state.ts";
import { isLeaseLive, readLease } from "../leases/lease.ts";
import type { LeaseStore, StoredEntry, StoreWatch } from "../leases/lease_store.ts";
import { lastToken, storeKey } from "../leases/store_key.ts";

/** A change to a tenant's desired state; return null to delete it, `undefined` to leave it. */
export type DesiredChange = (current: DesiredState | null) => DesiredState | null | undefined;

/** The two entries the lease owner applies, as stored (their revisions mark what was applied). */
export interface DesiredEntries {
  desired: StoredEntry | null;
  flags: StoredEntry | null;
}

const CAS_ATTEMPTS = 20;

/**
 * The four entries of each tenant in the lease store: `desired` (what commands asked for),
 * `targets` (the target flags), `lease` (which worker runs it) and `status` (what that worker
 * reports). Values are parsed on the way out; changes are compare-and-set, retried on conflicts.
 */
export class TenantRecords {
  readonly #store: LeaseStore;

  constructor(store: LeaseStore) {
    this.#store = store;
  }

  /** The key of a tenant's lease. */
  leaseKey(tenantId: string): string {
    return storeKey("lease", tenantId);
  }

  async desired(tenantId: string): Promise<DesiredState | null> {
    const entry = await this.#store.get(desiredKey(tenantId));
    return entry ? DesiredState.parse(entry.value) : null;
  }

  async hasDesired(tenantId: string): Promise<boolean> {
    return (await this.#store.get(desiredKey(tenantId))) !== null;
  }

  async flags(tenantId: string): Promise<TargetFlags> {
    const entry = await this.#store.get(flagsKey(tenantId));
    return entry ? TargetFlags.parse(entry.value) : { disabled: [] };
  }

  /** The desired state and the flags as stored, read together. */
  async entries(tenantId: string): Promise<DesiredEntries> {
    const [desired, flags] = await Promise.all([
      this.#store.get(desiredKey(tenantId)),
      this.#store.get(flagsKey(tenantId)),
    ]);
    return { desired, flags };
  }

  /** Tenants with a desired state. */
  async desiredTenants(): Promise<string[]> {
    return (await this.#store.keys("desired")).map(lastToken);
  }

  /** Whether some worker holds the tenant's lease right now. */
  async leaseLive(tenantId: string): Promise<boolean> {
    return isLeaseLive(readLease(await this.#store.get(this.leaseKey(tenantId))));
  }

  /** The last status the owner wrote. */
  async status(tenantId: string): Promise<StatusReport | null> {
    const entry = await this.#store.get(statusKey(tenantId));
    return entry ? StatusReport.parse(entry.value) : null;
  }

  async putStatus(report: StatusReport): Promise<void> {
    await this.#store.put(statusKey(report.tenantId), report);
  }

  async deleteStatus(tenantId: string): Promise<void> {
    await this.#store.delete(statusKey(tenantId));
  }

  /** Deletes every key of the tenant (lease, desired, targets, status); returns how many were present. */
  async purge(tenantId: string): Promise<number> {
    let removed = 0;
    for (
      const key of [
        this.leaseKey(tenantId),
        desiredKey(tenantId),
        flagsKey(tenantId),
        statusKey(tenantId),
      ]
    ) {
      if ((await this.#store.get(key)) === null) continue;
      await this.#store.delete(key);
      removed++;
    }
    return removed;
  }

  /** Calls `onChange` with the tenant of each later write or delete under `part`. */
  watch(part: "desired" | "targets", onChange: (tenantId: string) => void): StoreWatch {
    return this.#store.watch(part, (key) => onChange(lastToken(key)));
  }

  /** Applies a change with compare-and-set, retrying on conflicts; returns what was written. */
  async changeDesired(tenantId: string, change: DesiredChange): Promise<DesiredState | null> {
    const key = desiredKey(tenantId);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await this.#store.get(key);
      const current = entry ? DesiredState.parse(entry.value) : null;
      const next = change(current);
      if (next === undefined) return current;
      if (next === null) {
        if (!entry || await this.#store.delete(key, entry.revision)) return null;
        continue;
      }
      if (await this.#write(key, next, entry)) return next;
    }
    throw new AppError("conflict", "The stream setup kept changing; try again");
  }

  async changeFlags(tenantId: string, change: (flags: TargetFlags) => TargetFlags): Promise<void> {
    const key = flagsKey(tenantId);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await this.#store.get(key);
      const next = change(entry ? TargetFlags.parse(entry.value) : { disabled: [] });
      if (await this.#write(key, next, entry)) return;
    }
    throw new AppError("conflict", "The target settings kept changing; try again");
  }

  /** Creates or updates at the revision read; false when another write came first. */
  async #write(key: string, value: unknown, read: StoredEntry | null): Promise<boolean> {
    const written = read
      ? await this.#store.update(key, value, read.revision)
      : await this.#store.create(key, value);
    return written !== null;
  }
}

function desiredKey(tenantId: string): string {
  return storeKey("desired", tenantId);
}

function flagsKey(tenantId: string): string {
  return storeKey("targets", tenantId);
}

function statusKey(tenantId: string): string {
  return storeKey("status", tenantId);
}
