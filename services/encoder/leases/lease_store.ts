/** One stored value and its revision; every write gives the key a higher revision. */
export interface StoredEntry {
  value: unknown;
  revision: number;
}

/** A running watch; `close()` stops it. */
export interface StoreWatch {
  /** Resolves once changes are being delivered. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * The key-value store encoder workers coordinate through: stream leases, the desired state that
 * commands write, and the status each lease owner reports. Conditional writes compare a revision,
 * so of two workers racing for the same key exactly one wins. Keys are dot-separated tokens of
 * `[A-Za-z0-9_=-]` (see `storeKey`); values are JSON. Adapters: in-process (desktop: one worker
 * that always wins) and NATS JetStream KV (several workers).
 */
export interface LeaseStore {
  /** The current value, or null when the key is absent or deleted. */
  get(key: string): Promise<StoredEntry | null>;
  /** Writes only when the key is absent (or deleted); resolves to the revision, or null. */
  create(key: string, value: unknown): Promise<number | null>;
  /** Writes only when the key is still at `revision`; resolves to the new revision, or null. */
  update(key: string, value: unknown, revision: number): Promise<number | null>;
  /** Writes unconditionally; resolves to the new revision. */
  put(key: string, value: unknown): Promise<number>;
  /** Deletes the key (only while at `revision`, when given); false when the revision moved on. */
  delete(key: string, revision?: number): Promise<boolean>;
  /** Every present key under `prefix` (`"lease"` lists `lease.*`). */
  keys(prefix: string): Promise<string[]>;
  /** Calls `onChange` for each later write (entry) or delete (null) of a key under `prefix`. */
  watch(prefix: string, onChange: (key: string, entry: StoredEntry | null) => void): StoreWatch;
  close(): Promise<void>;
}
