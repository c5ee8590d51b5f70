import { AppError, type StreamState, type WireError } from "@spiritstream/contracts";
import type { Logger, Redactor } from "@spiritstream/kit";
import {
  DesiredState,
  type GroupOutcome,
  idleStreamState,
  type RetryOutcome,
  StatusReport,
  TargetFlags,
} from "./desired_state.ts";
import {
  acquireLease,
  type HeldLease,
  isLeaseLive,
  readLease,
  releaseLease,
  renewLease,
} from "../leases/lease.ts";
import type { LeaseStore, StoreWatch } from "../leases/lease_store.ts";
import { lastToken, storeKey } from "../leases/store_key.ts";
import type { Engine, IngestSpec } from "../engine/mod.ts";

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
}

/** Passed to {@linkcode StreamCoordinator.awaitStatus} checks. */
export interface StatusView {
  status: StatusReport | null;
  /** Whether some worker holds the tenant's lease right now. */
  ownerAlive: boolean;
}

/** A change to a tenant's desired state; return null to delete it, `undefined` to leave it. */
export type DesiredChange = (current: DesiredState | null) => DesiredState | null | undefined;

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
  /**
   * Takes the lease if it is free, lets the owner apply the desired state, and polls the status
   * until `check` returns a value (or throws); times out with AppError `timeout`.
   */
  awaitStatus<T>(
    tenantId: string,
    check: (view: StatusView) => T | undefined,
    options: { what: string; timeoutMs?: number },
  ): Promise<T>;
  /** Marks a tenant's status as changed (engine events), written shortly after. */
  touch(tenantId: string): void;
  /** Tenants this worker runs. */
  owned(): string[];
  /** Stops this worker's streams and hands its leases back (other workers resume them). */
  close(): Promise<void>;
}

interface Owned {
  tenantId: string;
  held: HeldLease;
  ingestSpec: string | null;
  ingest: { generation: number; error: WireError | null } | null;
  groups: Map<string, GroupOutcome>;
  retries: Map<string, RetryOutcome>;
  disabled: Set<string>;
  /** `<desired revision>/<flags revision>` last applied. */
  applied: string;
  /** When failed parts (ingest, groups) are tried again without a new desired state. */
  retryFailedAt: number;
  queue: Promise<void>;
  lastStatus: string;
  touchTimer: ReturnType<typeof setTimeout> | undefined;
}

const CAS_ATTEMPTS = 20;

/** Creates the coordinator of one encoder worker (see {@linkcode StreamCoordinator}). */
export function createStreamCoordinator(options: StreamCoordinatorOptions): StreamCoordinator {
  const { store, engine, workerId, logger, redactor } = options;
  const ttlMs = options.leaseTtlMs ?? 6000;
  const renewEveryMs = options.renewEveryMs ?? 2000;
  const tickMs = options.tickMs ?? 1000;
  const retryFailedMs = options.retryFailedMs ?? 5000;
  const leaseOptions = { owner: workerId, ttlMs };
  const owned = new Map<string, Owned>();
  const claiming = new Map<string, Promise<void>>();
  const watches: StoreWatch[] = [];
  let timer: ReturnType<typeof setInterval> | undefined;
  let ticking: Promise<void> | null = null;
  let closed = false;

  const keys = {
    desired: (t: string) => storeKey("desired", t),
    flags: (t: string) => storeKey("targets", t),
    lease: (t: string) => storeKey("lease", t),
    status: (t: string) => storeKey("status", t),
  };

  async function readDesired(tenantId: string): Promise<DesiredState | null> {
    const entry = await store.get(keys.desired(tenantId));
    return entry ? DesiredState.parse(entry.value) : null;
  }

  async function readFlags(tenantId: string): Promise<TargetFlags> {
    const entry = await store.get(keys.flags(tenantId));
    return entry ? TargetFlags.parse(entry.value) : { disabled: [] };
  }

  function buildStatus(own: Owned): StatusReport {
    const activeGroupIds = engine.activeGroupIds(own.tenantId);
    return {
      tenantId: own.tenantId,
      owner: workerId,
      updatedAt: Date.now(),
      ingest: own.ingest,
      groups: Object.fromEntries(own.groups),
      retries: Object.fromEntries(own.retries),
      disabled: [...own.disabled].sort(),
      activeGroupIds,
      state: engine.state(own.tenantId),
    };
  }

  async function writeStatus(own: Owned): Promise<void> {
    if (owned.get(own.tenantId) !== own) return;
    const report = buildStatus(own);
    const text = JSON.stringify({ ...report, updatedAt: 0 });
    if (text === own.lastStatus) return;
    own.lastStatus = text;
    await store.put(keys.status(own.tenantId), report);
  }

  function serialized(own: Owned, work: () => Promise<void>): Promise<void> {
    const next = own.queue.then(work);
    own.queue = next.catch((error) => {
      logger.error({ err: error, tenantId: own.tenantId }, "Applying the desired streams failed");
    });
    return next;
  }

  /** Stops a tenant here; with `handBack` also clears its status and frees the lease. */
  async function drop(own: Owned, handBack: boolean): Promise<void> {
    if (owned.get(own.tenantId) !== own) return;
    owned.delete(own.tenantId);
    clearTimeout(own.touchTimer);
    await engine.stopAll(own.tenantId).catch((error) => {
      logger.error({ err: error, tenantId: own.tenantId }, "Stopping the streams failed");
    });
    if (!handBack) return;
    await store.delete(keys.status(own.tenantId)).catch(() => {});
    await releaseLease(store, own.held).catch(() => {});
  }

  async function reconcile(own: Owned): Promise<void> {
    if (owned.get(own.tenantId) !== own) return;
    const tenantId = own.tenantId;
    const [desiredEntry, flagsEntry] = await Promise.all([
      store.get(keys.desired(tenantId)),
      store.get(keys.flags(tenantId)),
    ]);
    const mark = `${desiredEntry?.revision ?? 0}/${flagsEntry?.revision ?? 0}`;
    const failed = own.ingest?.error || [...own.groups.values()].some((g) => g.error);
    if (mark === own.applied && !(failed && Date.now() >= own.retryFailedAt)) return;
    if (!desiredEntry) {
      logger.info({ tenantId }, "Streams stopped; lease released");
      await drop(own, true);
      return;
    }
    const desired = DesiredState.parse(desiredEntry.value);
    const flags = flagsEntry ? TargetFlags.parse(flagsEntry.value) : { disabled: [] };
    rememberSecrets(desired);

    for (const id of new Set([...own.disabled, ...flags.disabled])) {
      const disable = flags.disabled.includes(id);
      if (own.disabled.has(id) === disable) continue;
      await engine.setTargetEnabled(tenantId, id, !disable);
      if (disable) own.disabled.add(id);
      else own.disabled.delete(id);
    }

    const spec: IngestSpec | null = desired.ingest?.spec ?? null;
    const specText = spec && JSON.stringify(spec);
    if (specText !== own.ingestSpec) {
      if (own.ingestSpec !== null) {
        // A different ingest: everything fed by the old one restarts on the new one.
        await engine.stopAll(tenantId);
        own.groups.clear();
      }
      own.ingestSpec = null;
      if (spec) {
        try {
          await engine.openIngest(tenantId, spec);
          own.ingestSpec = specText;
          own.ingest = { generation: desired.ingest!.generation, error: null };
        } catch (error) {
          own.ingest = { generation: desired.ingest!.generation, error: wire(error) };
        }
      } else {
        own.ingest = null;
      }
    } else if (desired.ingest && own.ingest?.generation !== desired.ingest.generation) {
      own.ingest = { generation: desired.ingest.generation, error: null };
    }

    for (const groupId of [...own.groups.keys()]) {
      if (Object.hasOwn(desired.groups, groupId)) continue;
      await engine.stopGroup(tenantId, groupId);
      own.groups.delete(groupId);
      own.retries.delete(groupId);
    }

    const started = new Set<string>();
    for (const [groupId, wanted] of Object.entries(desired.groups)) {
      const have = own.groups.get(groupId);
      if (have?.generation === wanted.generation && !have.error) continue;
      // A running group is updated in place by the engine (or restarted if it must be).
      try {
        if (!spec) throw new AppError("failed_precondition", "No ingest is configured");
        const pid = await engine.startGroup(tenantId, wanted.group, spec);
        own.groups.set(groupId, { generation: wanted.generation, pid, error: null });
        started.add(groupId);
      } catch (error) {
        own.groups.set(groupId, { generation: wanted.generation, pid: null, error: wire(error) });
      }
    }

    for (const [groupId, nonce] of Object.entries(desired.retries)) {
      if ((own.retries.get(groupId)?.nonce ?? 0) >= nonce) continue;
      const group = own.groups.get(groupId);
      if (started.has(groupId) && group) {
        // Just (re)started here, e.g. after a takeover: that already was the retry.
        own.retries.set(groupId, {
          nonce,
          result: { pid: group.pid ?? 0, nextDelaySecs: null },
          error: null,
        });
        continue;
      }
      try {
        const result = await engine.retryGroup(tenantId, groupId);
        if (group) group.pid = result.pid;
        own.retries.set(groupId, { nonce, result, error: null });
      } catch (error) {
        own.retries.set(groupId, { nonce, result: null, error: wire(error) });
      }
    }
    own.applied = mark;
    own.retryFailedAt = Date.now() + retryFailedMs;
    await writeStatus(own);
  }

  /** An engine failure as it travels in the status entry, secrets scrubbed. */
  function wire(error: unknown): WireError {
    const code = error instanceof AppError ? error.code : "internal";
    const message = error instanceof Error ? error.message : String(error);
    return { code, message: redactor ? redactor.scrub(message) : message };
  }

  function rememberSecrets(desired: DesiredState): void {
    if (!redactor) return;
    redactor.add(desired.ingest?.spec.streamKey);
    redactor.add(desired.ingest?.spec.srtPassphrase);
    for (const { group } of Object.values(desired.groups)) {
      for (const target of group.streamTargets) redactor.add(target.streamKey);
    }
  }

  /** Takes the tenant's lease if it is free or expired and applies its desired state. */
  function claim(tenantId: string): Promise<void> {
    const own = owned.get(tenantId);
    if (own) return serialized(own, () => reconcile(own));
    const running = claiming.get(tenantId);
    if (running) return running;
    const attempt = (async () => {
      if (closed || !(await store.get(keys.desired(tenantId)))) return;
      const held = await acquireLease(store, keys.lease(tenantId), leaseOptions);
      if (!held || owned.has(tenantId)) return;
      const fresh: Owned = {
        tenantId,
        held,
        ingestSpec: null,
        ingest: null,
        groups: new Map(),
        retries: new Map(),
        disabled: new Set(),
        applied: "",
        retryFailedAt: 0,
        queue: Promise.resolve(),
        lastStatus: "",
        touchTimer: undefined,
      };
      owned.set(tenantId, fresh);
      logger.info({ tenantId, worker: workerId }, "Took the stream lease");
      await serialized(fresh, () => reconcile(fresh));
    })().finally(() => claiming.delete(tenantId));
    claiming.set(tenantId, attempt);
    return attempt;
  }

  async function renew(own: Owned): Promise<void> {
    if (Date.now() < own.held.expiresAt - ttlMs + renewEveryMs) return;
    try {
      const renewed = await renewLease(store, own.held, leaseOptions);
      if (renewed) {
        own.held = renewed;
        return;
      }
      logger.warn({ tenantId: own.tenantId }, "Stream lease taken over by another worker");
      await drop(own, false);
    } catch (error) {
      if (Date.now() < own.held.expiresAt) return;
      // Unreachable store past our expiry: another worker may run these streams now.
      logger.error({ err: error, tenantId: own.tenantId }, "Stream lease expired unrenewed");
      await drop(own, false);
    }
  }

  async function tick(): Promise<void> {
    for (const own of [...owned.values()]) await renew(own);
    for (const key of await store.keys("desired")) {
      const tenantId = lastToken(key);
      if (!owned.has(tenantId)) await claim(tenantId);
    }
    for (const own of [...owned.values()]) {
      await serialized(own, async () => {
        await reconcile(own);
        await writeStatus(own);
      });
    }
  }

  function runTick(): void {
    if (ticking || closed) return;
    ticking = tick().catch((error) => {
      logger.warn({ err: error }, "Encoder coordination tick failed");
    }).finally(() => ticking = null);
  }

  function onChange(key: string): void {
    const own = owned.get(lastToken(key));
    if (own) void serialized(own, () => reconcile(own)).catch(() => {});
  }

  async function changeDesired(
    tenantId: string,
    change: DesiredChange,
  ): Promise<DesiredState | null> {
    const key = keys.desired(tenantId);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await store.get(key);
      const current = entry ? DesiredState.parse(entry.value) : null;
      const next = change(current);
      if (next === undefined) return current;
      if (next === null) {
        if (!entry || await store.delete(key, entry.revision)) return null;
        continue;
      }
      const written = entry
        ? await store.update(key, next, entry.revision)
        : await store.create(key, next);
      if (written !== null) return next;
    }
    throw new AppError("conflict", "The stream setup kept changing; try again");
  }

  async function changeFlags(
    tenantId: string,
    change: (flags: TargetFlags) => TargetFlags,
  ): Promise<void> {
    const key = keys.flags(tenantId);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const entry = await store.get(key);
      const next = change(entry ? TargetFlags.parse(entry.value) : { disabled: [] });
      const written = entry
        ? await store.update(key, next, entry.revision)
        : await store.create(key, next);
      if (written !== null) return;
    }
    throw new AppError("conflict", "The target settings kept changing; try again");
  }

  async function status(tenantId: string): Promise<StatusReport | null> {
    const own = owned.get(tenantId);
    if (own) return buildStatus(own);
    const entry = await store.get(keys.status(tenantId));
    return entry ? StatusReport.parse(entry.value) : null;
  }

  return {
    async start() {
      for (const prefix of ["desired", "targets"]) {
        const watch = store.watch(prefix, onChange);
        watches.push(watch);
        await watch.ready;
      }
      timer = setInterval(runTick, tickMs);
      runTick();
    },
    readDesired,
    readFlags,
    status,
    async activeGroupIds(tenantId) {
      return (await status(tenantId))?.activeGroupIds ?? [];
    },
    async state(tenantId) {
      return (await status(tenantId))?.state ?? idleStreamState();
    },
    changeDesired,
    changeFlags,
    async awaitStatus(tenantId, check, { what, timeoutMs = 15_000 }) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        await claim(tenantId);
        const report = await status(tenantId);
        const ownerAlive = owned.has(tenantId) ||
          isLeaseLive(readLease(await store.get(keys.lease(tenantId))));
        const result = check({ status: report, ownerAlive });
        if (result !== undefined) return result;
        if (Date.now() >= deadline) {
          throw new AppError(
            "timeout",
            `No encoder worker ${what} within ${Math.round(timeoutMs / 1000)} s`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    touch(tenantId) {
      const own = owned.get(tenantId);
      if (!own || own.touchTimer !== undefined) return;
      own.touchTimer = setTimeout(() => {
        own.touchTimer = undefined;
        void serialized(own, () => writeStatus(own)).catch(() => {});
      }, 100);
    },
    owned: () => [...owned.keys()],
    async close() {
      closed = true;
      clearInterval(timer);
      await ticking;
      await Promise.all(watches.map((watch) => watch.close()));
      await Promise.allSettled([...claiming.values()]);
      for (const own of [...owned.values()]) {
        await own.queue;
        await drop(own, true);
      }
    },
  };
}
