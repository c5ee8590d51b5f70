import { COMMANDS, type RequestMeta } from "@spiritstream/contracts";
import { type Bus, callCommand } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import type { LogStore } from "./log_store.ts";

/** Options for {@linkcode createLogRetention}. */
export interface LogRetentionOptions {
  logger: Logger;
  /** How often every known tenant is pruned again. @default 3600000 */
  intervalMs?: number;
  /** First wait before asking again when `get_settings` failed; doubles up to 5 minutes. @default 2000 */
  retryMs?: number;
  /** Runs before each prune (the ingest writes what it holds, so nothing lands after it). */
  beforePrune?: () => Promise<void>;
}

/** Applies each tenant's `logRetentionDays` to its stored logs. */
export interface LogRetention {
  /** Asks the profiles service for the tenant's settings again, then prunes. */
  refresh(tenantId: string): void;
  /** Starts looking after a tenant (refreshes it unless already known). */
  track(tenantId: string): void;
  /** The retention in days last learned for a tenant (0 = keep forever), if any. */
  daysOf(tenantId: string): number | undefined;
  /** Whether a line of the tenant emitted at `time` is past its retention (false while unknown). */
  expired(tenantId: string, time: number): boolean;
  /** Resolves once no refresh or prune is running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

interface TenantState {
  days: number | undefined;
  running: boolean;
  again: boolean;
  failures: number;
  retry: ReturnType<typeof setTimeout> | undefined;
}

const DAY_MS = 86_400_000;
const MAX_RETRY_MS = 300_000;

/**
 * Settings belong to the profiles service, so retention asks it over the bus (`get_settings`,
 * with the tenant's meta) on start and on every `settings_changed`, never reading its tables.
 * Until a tenant's settings are known nothing of it is deleted (the row cap still applies).
 */
export function createLogRetention(
  bus: Bus,
  store: LogStore,
  options: LogRetentionOptions,
): LogRetention {
  const { logger, intervalMs = 3_600_000, retryMs = 2_000, beforePrune } = options;
  const tenants = new Map<string, TenantState>();
  const running = new Set<Promise<void>>();
  let closed = false;
  const ticker = setInterval(() => {
    for (const tenantId of tenants.keys()) keep(run(() => prune(tenantId)));
  }, intervalMs);

  function state(tenantId: string): TenantState {
    let found = tenants.get(tenantId);
    if (!found) {
      found = { days: undefined, running: false, again: false, failures: 0, retry: undefined };
      tenants.set(tenantId, found);
    }
    return found;
  }

  function keep(work: Promise<void>): void {
    running.add(work);
    work.finally(() => running.delete(work));
  }

  function run(work: () => Promise<void>): Promise<void> {
    return work().catch((error) => {
      if (!closed) logger.warn({ err: error }, "Log retention failed");
    });
  }

  function refresh(tenantId: string): void {
    if (closed) return;
    const s = state(tenantId);
    clearTimeout(s.retry);
    s.retry = undefined;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    keep(run(async () => {
      try {
        do {
          s.again = false;
          await learn(tenantId, s);
        } while (s.again && !closed);
      } finally {
        s.running = false;
      }
      await prune(tenantId);
    }));
  }

  async function learn(tenantId: string, s: TenantState): Promise<void> {
    const meta: RequestMeta = {
      requestId: crypto.randomUUID(),
      tenantId,
      userId: null,
      role: "viewer",
      ip: null,
    };
    try {
      const settings = await callCommand(bus, COMMANDS.get_settings, { meta, args: {} }, {
        timeoutMs: 5_000,
      });
      s.days = settings.logRetentionDays;
      if (s.failures > 0) logger.info({ tenantId }, "Log retention settings are reachable again");
      s.failures = 0;
    } catch (error) {
      // The profiles service may start after us; warn once, then keep asking with back-off.
      if (s.failures++ === 0) {
        logger.warn({ err: error, tenantId }, "Could not read the log retention setting; retrying");
      }
      if (closed) return;
      const wait = Math.min(MAX_RETRY_MS, retryMs * 2 ** (s.failures - 1));
      s.retry = setTimeout(() => refresh(tenantId), wait);
    }
  }

  async function prune(tenantId: string): Promise<void> {
    const days = tenants.get(tenantId)?.days;
    if (closed || days === undefined || days === 0) return;
    await beforePrune?.();
    const removed = await store.pruneBefore(tenantId, Date.now() - days * DAY_MS);
    if (removed > 0) logger.info({ tenantId, removed, days }, "Pruned old log lines");
  }

  return {
    refresh,
    track(tenantId) {
      if (!tenants.has(tenantId)) refresh(tenantId);
    },
    daysOf: (tenantId) => tenants.get(tenantId)?.days,
    expired(tenantId, time) {
      const days = tenants.get(tenantId)?.days;
      return days !== undefined && days > 0 && time < Date.now() - days * DAY_MS;
    },
    async idle() {
      while (running.size > 0) await Promise.all([...running]);
    },
    async close() {
      closed = true;
      clearInterval(ticker);
      for (const s of tenants.values()) clearTimeout(s.retry);
      await Promise.all([...running]);
    },
  };
}
