import type { WireError } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { GroupOutcome, RetryOutcome, StatusReport } from "./desired_state.ts";
import type { HeldLease } from "../leases/lease.ts";
import type { Engine } from "../engine/mod.ts";

/** How the owner applied one generation of the ingest. */
export interface IngestOutcome {
  generation: number;
  error: WireError | null;
}

/**
 * A tenant whose lease this worker holds: the lease, what of its desired state was applied to
 * the engine and how (outcomes per part, reported in its status), and the queue its work runs
 * in, one piece at a time.
 */
export class OwnedTenant {
  readonly tenantId: string;
  held: HeldLease;
  /** The ingest spec (JSON) the engine listens with; null when none is open. */
  ingestSpec: string | null = null;
  ingest: IngestOutcome | null = null;
  readonly groups = new Map<string, GroupOutcome>();
  readonly retries = new Map<string, RetryOutcome>();
  /** Targets switched off in the engine. */
  readonly disabled = new Set<string>();
  /** `<desired revision>/<flags revision>` last applied. */
  applied = "";
  /** When failed parts (ingest, groups) are tried again without a new desired state. */
  retryFailedAt = 0;
  #queue: Promise<void> = Promise.resolve();
  #lastStatus = "";
  #touchTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(tenantId: string, held: HeldLease) {
    this.tenantId = tenantId;
    this.held = held;
  }

  /** Whether the ingest or a group failed to start (tried again after `retryFailedAt`). */
  get failed(): boolean {
    return Boolean(this.ingest?.error) || [...this.groups.values()].some((g) => g.error);
  }

  /** Runs `work` after the work queued before it; a failure is logged and ends only that work. */
  serialized(work: () => Promise<void>, logger: Logger): Promise<void> {
    const next = this.#queue.then(work);
    this.#queue = next.catch((error) => {
      logger.error({ err: error, tenantId: this.tenantId }, "Applying the desired streams failed");
    });
    return next;
  }

  /** Resolves once the queued work is done. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /** The status entry: the outcomes here and the engine's state, fresh. */
  report(engine: Engine, owner: string): StatusReport {
    return {
      tenantId: this.tenantId,
      owner,
      updatedAt: Date.now(),
      ingest: this.ingest,
      groups: Object.fromEntries(this.groups),
      retries: Object.fromEntries(this.retries),
      disabled: [...this.disabled].sort(),
      activeGroupIds: engine.activeGroupIds(this.tenantId),
      state: engine.state(this.tenantId),
    };
  }

  /** Whether `report` says something the last one written did not (its time aside). */
  changedSinceWritten(report: StatusReport): boolean {
    const text = JSON.stringify({ ...report, updatedAt: 0 });
    if (text === this.#lastStatus) return false;
    this.#lastStatus = text;
    return true;
  }

  /** Runs `write` once, `ms` from now; further calls meanwhile are folded into it. */
  touch(write: () => void, ms: number): void {
    if (this.#touchTimer !== undefined) return;
    this.#touchTimer = setTimeout(() => {
      this.#touchTimer = undefined;
      write();
    }, ms);
  }

  cancelTouch(): void {
    clearTimeout(this.#touchTimer);
  }
}
