import { AppError, type StreamState } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import { DesiredApplier } from "./desired_applier.ts";
import {
  DesiredState,
  idleStreamState,
  type IngestSpecValue,
  type StatusReport,
  TargetFlags,
} from "./desired_state.ts";
import { IngestKeyIndex } from "./ingest_key_index.ts";
import { OwnedTenant } from "./owned_tenant.ts";
import { type DesiredChange, TenantRecords } from "./tenant_records.ts";
import {
  acquireLease,
  type LeaseOptions,
  readLease,
  releaseLease,
  renewLease,
  transferLease,
} from "../leases/lease.ts";
import type {
  HandoverAnswer,
  HandoverLink,
  HandoverRequest,
  HandoverService,
} from "../leases/handover_link.ts";
import type { LeaseStore, StoreWatch } from "../leases/lease_store.ts";
import type { Engine } from "../engine/mod.ts";
import { WorkerCapacity, WorkersFullError } from "./worker_capacity.ts";
import { type WorkerLoad, workerLoad } from "./worker_load.ts";

export type { DesiredChange } from "./tenant_records.ts";
export type { WorkerLoad } from "./worker_load.ts";
export { WorkersFullError } from "./worker_capacity.ts";

/** Options for {@linkcode createStreamCoordinator}. */
export interface StreamCoordinatorOptions {
  store: LeaseStore;
  engine: Engine;
  /** Unique per worker process. */
  workerId: string;
  logger: Logger;
  redactor?: Redactor;
  /** A lease not renewed for this long is taken over. @default 6000 */
  leaseTtlMs?: number;
  /** @default 2000 */
  renewEveryMs?: number;
  /** How often leases are renewed, orphans adopted and status refreshed. @default 1000 */
  tickMs?: number;
  /** A port still taken or a group failing to start is tried again this often. @default 5000 */
  retryFailedMs?: number;
  /**
   * How many tenants this worker runs at most (SPIRITSTREAM_WORKER_MAX_TENANTS); at the limit it
   * takes no new lease, so another worker does. @default null (no limit)
   */
  maxTenants?: number | null;
  /** How workers ask each other to hand a tenant over; without it, {@linkcode
   * StreamCoordinator.claimIngest} only takes free or expired leases. */
  handover?: HandoverLink;
}

/** Passed to {@linkcode StreamCoordinator.awaitStatus} checks. */
export interface StatusView {
  status: StatusReport | null;
  /** Whether some worker holds the tenant's lease right now. */
  ownerAlive: boolean;
}

/**
 * Runs each tenant's streams on exactly one worker. Commands (served by any worker) write the
 * desired state; the worker holding the tenant's lease applies it to its engine and reports a
 * status entry the others answer reads from. Leases are renewed every `renewEveryMs` and taken
 * over by another worker once `leaseTtlMs` passes without renewal; an owner that cannot renew
 * stops its streams when its lease runs out, so two workers never publish the same groups for
 * longer than that window. One ingest per tenant, so the ingest and all its groups share a lease.
 */
export interface StreamCoordinator {
  /** Watches the store and starts the tick loop. */
  start(): Promise<void>;
  readDesired(tenantId: string): Promise<DesiredState | null>;
  readFlags(tenantId: string): Promise<TargetFlags>;
  /** Fresh from the engine on the owner, else the owner's last report (null: nobody runs it). */
  status(tenantId: string): Promise<StatusReport | null>;
  activeGroupIds(tenantId: string): Promise<string[]>;
  state(tenantId: string): Promise<StreamState>;
  /** Applies a change with compare-and-set, retrying on conflicts; returns what was written. */
  changeDesired(tenantId: string, change: DesiredChange): Promise<DesiredState | null>;
  changeFlags(tenantId: string, change: (flags: TargetFlags) => TargetFlags): Promise<void>;
  /** Deletes every store key of a deleted tenant (its streams already stopped); returns how many. */
  purgeKeys(tenantId: string): Promise<number>;
  /**
   * Takes the lease if it is free, lets the owner apply the desired state, and polls the status
   * until `check` returns a value (or throws); times out with AppError `timeout`. When nobody
   * took the tenant and every worker is at its tenant limit, fails with
   * {@linkcode WorkersFullError} (a few ticks after the call: time for a worker with room).
   */
  awaitStatus<T>(
    tenantId: string,
    check: (view: StatusView) => T | undefined,
    options: { what: string; timeoutMs?: number },
  ): Promise<T>;
  /** Marks a tenant's status as changed (engine events), written shortly after. */
  touch(tenantId: string): void;
  /**
   * Ownership follows the publisher: finds the tenant whose desired ingest `matches` (the
   * publisher's key), asks its owner to hand it over (or, when that worker's process is gone,
   * takes its lease by compare-and-set), and applies its desired state here. Resolves to the
   * tenant now run here, or null: no tenant matches, another worker won the race, or the owner
   * did not answer.
   */
  claimIngest(matches: (spec: IngestSpecValue) => boolean): Promise<string | null>;
  /** The desired ingest (any tenant's, wherever it runs) `matches`, from memory, at once. */
  peekIngest(matches: (spec: IngestSpecValue) => boolean): IngestSpecValue | null;
  /** Stops adopting tenants (a draining worker); it still hands over those it runs. */
  drain(): void;
  /** Stops these tenants here and frees their leases now (other workers adopt them). */
  release(tenantIds: readonly string[]): Promise<void>;
  /** Tenants this worker runs. */
  owned(): string[];
  /** What this worker runs (streams, groups, targets) and its tenant limit, fresh from the engine. */
  load(): WorkerLoad;
  /** Stops this worker's streams and hands its leases back (other workers resume them). */
  close(): Promise<void>;
}

/** Creates the coordinator of one encoder worker (see {@linkcode StreamCoordinator}). */
export function createStreamCoordinator(options: StreamCoordinatorOptions): StreamCoordinator {
  return new LeaseCoordinator(options);
}

/** {@linkcode StreamCoordinator} over a {@linkcode LeaseStore}. */
class LeaseCoordinator implements StreamCoordinator {
  readonly #records: TenantRecords;
  readonly #engine: Engine;
  readonly #applier: DesiredApplier;
  readonly #workerId: string;
  readonly #logger: Logger;
  readonly #ttlMs: number;
  readonly #renewEveryMs: number;
  readonly #tickMs: number;
  readonly #retryFailedMs: number;
  readonly #lease: LeaseOptions;
  readonly #store: LeaseStore;
  readonly #owned = new Map<string, OwnedTenant>();
  readonly #claiming = new Map<string, Promise<void>>();
  // Tenants being handed to another worker: no take here until the lease names the claimer (the
  // tick would otherwise re-take the lease that still names this worker, between the drop and the
  // transfer, and both workers would run the tenant).
  readonly #handingOver = new Set<string>();
  readonly #maxTenants: number | null;
  readonly #capacity: WorkerCapacity;
  /** Leases being acquired right now: they count against the limit until they resolve. */
  #acquiring = 0;
  readonly #watches: StoreWatch[] = [];
  readonly #handover: HandoverLink | null;
  readonly #ingestKeys: IngestKeyIndex;
  #handoverService: HandoverService | null = null;
  #draining = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  #ticking: Promise<void> | null = null;
  #closed = false;

  constructor(options: StreamCoordinatorOptions) {
    this.#store = options.store;
    this.#records = new TenantRecords(options.store);
    this.#engine = options.engine;
    this.#applier = new DesiredApplier(options.engine, options.redactor);
    this.#workerId = options.workerId;
    this.#logger = options.logger;
    this.#ttlMs = options.leaseTtlMs ?? 6000;
    this.#renewEveryMs = options.renewEveryMs ?? 2000;
    this.#tickMs = options.tickMs ?? 1000;
    this.#retryFailedMs = options.retryFailedMs ?? 5000;
    this.#lease = { owner: options.workerId, ttlMs: this.#ttlMs };
    this.#maxTenants = options.maxTenants ?? null;
    this.#capacity = new WorkerCapacity(options.store, {
      workerId: options.workerId,
      limit: this.#maxTenants,
      ttlMs: this.#ttlMs,
      refreshMs: this.#renewEveryMs,
    });
    this.#handover = options.handover ?? null;
    this.#ingestKeys = new IngestKeyIndex(this.#records);
  }

  async start(): Promise<void> {
    for (const part of ["desired", "targets"] as const) {
      const watch = this.#records.watch(part, (tenantId) => {
        if (part === "desired") void this.#ingestKeys.refresh(tenantId);
        this.#onChange(tenantId);
      });
      this.#watches.push(watch);
      await watch.ready;
    }
    // After the watch: no change falls between the read and the updates.
    await this.#ingestKeys.scan().catch((error) => {
      this.#logger.warn({ err: error }, "Reading the tenants' ingests failed");
    });
    if (this.#handover) {
      this.#handoverService = this.#handover.serve(this.#workerId, (r) => this.#handOver(r));
      await this.#handoverService.ready;
    }
    this.#timer = setInterval(() => this.#runTick(), this.#tickMs);
    this.#runTick();
  }

  readDesired(tenantId: string): Promise<DesiredState | null> {
    return this.#records.desired(tenantId);
  }

  readFlags(tenantId: string): Promise<TargetFlags> {
    return this.#records.flags(tenantId);
  }

  async status(tenantId: string): Promise<StatusReport | null> {
    const own = this.#owned.get(tenantId);
    return own ? own.report(this.#engine, this.#workerId) : await this.#records.status(tenantId);
  }

  async activeGroupIds(tenantId: string): Promise<string[]> {
    return (await this.status(tenantId))?.activeGroupIds ?? [];
  }

  async state(tenantId: string): Promise<StreamState> {
    return (await this.status(tenantId))?.state ?? idleStreamState();
  }

  changeDesired(tenantId: string, change: DesiredChange): Promise<DesiredState | null> {
    return this.#records.changeDesired(tenantId, change);
  }

  changeFlags(tenantId: string, change: (flags: TargetFlags) => TargetFlags): Promise<void> {
    return this.#records.changeFlags(tenantId, change);
  }

  purgeKeys(tenantId: string): Promise<number> {
    return this.#records.purge(tenantId);
  }

  async awaitStatus<T>(
    tenantId: string,
    check: (view: StatusView) => T | undefined,
    { what, timeoutMs = 15_000 }: { what: string; timeoutMs?: number },
  ): Promise<T> {
    const startedAt = Date.now();
    const deadline = startedAt + timeoutMs;
    for (;;) {
      await this.#claim(tenantId);
      const report = await this.status(tenantId);
      const ownerAlive = this.#owned.has(tenantId) || await this.#records.leaseLive(tenantId);
      const result = check({ status: report, ownerAlive });
      if (result !== undefined) return result;
      // Nobody took the tenant: once every worker had a few ticks to adopt it, full workers
      // everywhere mean nobody will (until a stream ends or the autoscaler adds a worker).
      if (!ownerAlive && Date.now() - startedAt >= 3 * this.#tickMs) {
        const limit = await this.#capacity.everyWorkerFull();
        if (limit !== null) {
          this.#logger.warn({ tenantId, limit }, "Every encoder worker is full: refused a start");
          throw new WorkersFullError(limit);
        }
      }
      if (Date.now() >= deadline) {
        throw new AppError(
          "timeout",
          `No encoder worker ${what} within ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  touch(tenantId: string): void {
    const own = this.#owned.get(tenantId);
    own?.touch(() => void this.#serialized(own, () => this.#writeStatus(own)).catch(() => {}), 100);
  }

  owned(): string[] {
    return [...this.#owned.keys()];
  }

  load(): WorkerLoad {
    const states = [...this.#owned.keys()].map((tenantId) => this.#engine.state(tenantId));
    return workerLoad(states, this.#maxTenants);
  }

  drain(): void {
    this.#draining = true;
  }

  async release(tenantIds: readonly string[]): Promise<void> {
    for (const tenantId of tenantIds) {
      const own = this.#owned.get(tenantId);
      if (own) await this.#serialized(own, () => this.#drop(own, true)).catch(() => {});
    }
  }

  peekIngest(matches: (spec: IngestSpecValue) => boolean): IngestSpecValue | null {
    return this.#ingestKeys.peek(matches);
  }

  async claimIngest(matches: (spec: IngestSpecValue) => boolean): Promise<string | null> {
    if (this.#closed || this.#draining) return null;
    const tenantId = await this.#ingestKeys.find(matches);
    if (tenantId === null) return null;
    if (this.#owned.has(tenantId)) return tenantId;
    // At the limit: no handover is asked for (the owner would stop for a lease left here).
    if (!this.#hasRoom()) return null;
    const entry = await this.#store.get(this.#records.leaseKey(tenantId));
    const lease = readLease(entry);
    let evict: number | undefined;
    if (entry && lease && lease.owner !== this.#workerId && lease.expiresAt > Date.now()) {
      const answer = await this.#askHandover(lease.owner, tenantId);
      if (!answer) return null;
      if (answer === "gone") evict = entry.revision;
    }
    await this.#claim(tenantId, evict);
    return this.#owned.has(tenantId) ? tenantId : null;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#ticking;
    await Promise.all(this.#watches.map((watch) => watch.close()));
    await this.#handoverService?.close();
    await Promise.allSettled([...this.#claiming.values()]);
    for (const own of [...this.#owned.values()]) {
      await own.idle();
      await this.#drop(own, true);
    }
    await this.#capacity.withdraw();
  }

  #serialized(own: OwnedTenant, work: () => Promise<void>): Promise<void> {
    return own.serialized(work, this.#logger);
  }

  async #writeStatus(own: OwnedTenant): Promise<void> {
    if (this.#owned.get(own.tenantId) !== own) return;
    const report = own.report(this.#engine, this.#workerId);
    if (!own.changedSinceWritten(report)) return;
    await this.#records.putStatus(report);
  }

  /** Stops a tenant here; with `handBack` also clears its status and frees the lease. */
  async #drop(own: OwnedTenant, handBack: boolean): Promise<void> {
    if (this.#owned.get(own.tenantId) !== own) return;
    this.#owned.delete(own.tenantId);
    this.#publishCapacity();
    own.cancelTouch();
    await this.#engine.stopAll(own.tenantId).catch((error) => {
      this.#logger.error({ err: error, tenantId: own.tenantId }, "Stopping the streams failed");
    });
    if (!handBack) return;
    await this.#records.deleteStatus(own.tenantId).catch(() => {});
    await releaseLease(this.#store, own.held).catch(() => {});
  }

  /** Applies the desired state when it changed, or when failed parts are due another try. */
  async #reconcile(own: OwnedTenant): Promise<void> {
    if (this.#owned.get(own.tenantId) !== own) return;
    const { desired, flags } = await this.#records.entries(own.tenantId);
    const mark = `${desired?.revision ?? 0}/${flags?.revision ?? 0}`;
    if (mark === own.applied && !(own.failed && Date.now() >= own.retryFailedAt)) return;
    if (!desired) {
      this.#logger.info({ tenantId: own.tenantId }, "Streams stopped; lease released");
      await this.#drop(own, true);
      return;
    }
    await this.#applier.apply(own, {
      desired: DesiredState.parse(desired.value),
      flags: flags ? TargetFlags.parse(flags.value) : { disabled: [] },
    });
    own.applied = mark;
    own.retryFailedAt = Date.now() + this.#retryFailedMs;
    await this.#writeStatus(own);
  }

  /** Whether this worker may take one more tenant (leases being acquired count). */
  #hasRoom(): boolean {
    return this.#maxTenants === null || this.#owned.size + this.#acquiring < this.#maxTenants;
  }

  /** Writes this worker's capacity entry (when it changed or is due); failures wait for the next tick. */
  #publishCapacity(): void {
    if (this.#closed) return;
    this.#capacity.publish(this.#owned.size).catch((error) => {
      this.#logger.warn({ err: error }, "Writing the worker's capacity entry failed");
    });
  }

  /** Takes the tenant's lease if it is free or expired and applies its desired state. */
  #claim(tenantId: string, evict?: number): Promise<void> {
    const own = this.#owned.get(tenantId);
    if (own) return this.#serialized(own, () => this.#reconcile(own));
    const running = this.#claiming.get(tenantId);
    if (running) return running;
    const attempt = this.#take(tenantId, evict).finally(() => this.#claiming.delete(tenantId));
    this.#claiming.set(tenantId, attempt);
    return attempt;
  }

  /**
   * Asks the owner twice at most: a process killed a moment ago may still hold its subscription
   * on the bus until the server notices (the first ask then times out).
   */
  async #askHandover(owner: string, tenantId: string): Promise<HandoverAnswer | null> {
    if (!this.#handover) return null;
    for (let attempt = 1;; attempt++) {
      try {
        return await this.#handover.ask(owner, { tenantId, to: this.#workerId });
      } catch (error) {
        this.#logger.warn({ err: error, tenantId, owner, attempt }, "Handover not answered");
        if (attempt >= 2) return null;
      }
    }
  }

  /**
   * The ONE place this worker acquires a tenant's lease (a command's claim, the tick adopting an
   * orphan, and any other path must come through here), so the tenant limit always applies: at
   * the limit the lease is left for another worker.
   */
  async #take(tenantId: string, evict?: number): Promise<void> {
    if (this.#closed || this.#draining || !(await this.#records.hasDesired(tenantId))) return;
    if (this.#owned.has(tenantId) || this.#handingOver.has(tenantId)) return;
    if (!this.#hasRoom()) {
      this.#logger.debug({ tenantId, limit: this.#maxTenants }, "At the tenant limit: left it");
      return;
    }
    // Counted from here (no await between the check and the count), so parallel takes of
    // different tenants cannot overshoot the limit together.
    this.#acquiring++;
    let held;
    try {
      held = await acquireLease(this.#store, this.#records.leaseKey(tenantId), {
        ...this.#lease,
        evict,
      });
    } finally {
      this.#acquiring--;
    }
    // A handover that began meanwhile transfers this lease on: not ours to run.
    if (!held || this.#owned.has(tenantId) || this.#handingOver.has(tenantId)) return;
    const fresh = new OwnedTenant(tenantId, held);
    this.#owned.set(tenantId, fresh);
    this.#publishCapacity();
    this.#logger.info({ tenantId, worker: this.#workerId }, "Took the stream lease");
    await this.#serialized(fresh, () => this.#reconcile(fresh));
  }

  /**
   * Another worker's publisher claims a tenant run here: stop it and write the lease to that
   * worker. Also when the lease names this worker but nothing runs here (a renewal raced a
   * handover, or a take is half done): the claimer must not wait out the TTL.
   */
  async #handOver({ tenantId, to }: HandoverRequest): Promise<boolean> {
    this.#handingOver.add(tenantId);
    try {
      const own = this.#owned.get(tenantId);
      if (own) {
        await this.#serialized(own, async () => {
          await this.#drop(own, false);
          await this.#records.deleteStatus(tenantId).catch(() => {});
        }).catch(() => {});
      }
      const key = this.#records.leaseKey(tenantId);
      const handed = await transferLease(this.#store, key, { ...this.#lease, to })
        .catch(() => false);
      if (own || handed) {
        this.#logger.info({ tenantId, to, handed }, "Handed the stream lease over");
      }
      return handed;
    } finally {
      this.#handingOver.delete(tenantId);
    }
  }

  async #renew(own: OwnedTenant): Promise<void> {
    if (Date.now() < own.held.expiresAt - this.#ttlMs + this.#renewEveryMs) return;
    try {
      const renewed = await renewLease(this.#store, own.held, this.#lease);
      if (renewed) {
        own.held = renewed;
        return;
      }
      this.#logger.warn({ tenantId: own.tenantId }, "Stream lease taken over by another worker");
      await this.#drop(own, false);
    } catch (error) {
      if (Date.now() < own.held.expiresAt) return;
      // Unreachable store past our expiry: another worker may run these streams now.
      this.#logger.error({ err: error, tenantId: own.tenantId }, "Stream lease expired unrenewed");
      await this.#drop(own, false);
    }
  }

  async #tick(): Promise<void> {
    for (const own of [...this.#owned.values()]) await this.#renew(own);
    for (const tenantId of this.#draining ? [] : await this.#records.desiredTenants()) {
      if (!this.#owned.has(tenantId)) await this.#claim(tenantId);
    }
    for (const own of [...this.#owned.values()]) {
      await this.#serialized(own, async () => {
        await this.#reconcile(own);
        await this.#writeStatus(own);
      });
    }
    this.#publishCapacity();
  }

  #runTick(): void {
    if (this.#ticking || this.#closed) return;
    this.#ticking = this.#tick().catch((error) => {
      this.#logger.warn({ err: error }, "Encoder coordination tick failed");
    }).finally(() => this.#ticking = null);
  }

  #onChange(tenantId: string): void {
    const own = this.#owned.get(tenantId);
    if (own) void this.#serialized(own, () => this.#reconcile(own)).catch(() => {});
  }
}
