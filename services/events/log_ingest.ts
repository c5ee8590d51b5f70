import { BusEvent, eventFilter, LogRecord } from "@spiritstream/contracts";
import type { Bus, StreamRecord, Subscription } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import type { LogRow, LogStore, StreamCursor } from "./log_store.ts";

/** Options for {@linkcode startLogIngest}. */
export interface LogIngestOptions {
  logger: Logger;
  /** Newest rows kept per tenant (a hard cap, enforced with 1 % slack after each write). */
  maxRows: number;
  /** A tenant saved its settings (`settings_changed`). */
  onSettingsChanged?: (tenantId: string) => void;
  /** The first log of a tenant this process sees. */
  onTenant?: (tenantId: string) => void;
  /** Receives every event of the stream, in order (the stream sessions are folded from them). */
  onEvent?: (event: BusEvent, seq: number, time: number) => void;
  /** False for a line already past its tenant's retention: it is not stored. */
  keep?: (tenantId: string, time: number) => boolean;
  /** Rows written per transaction at most. @default 1000 */
  batchRows?: number;
  /** How long a received row may wait before it is written. @default 100 */
  flushMs?: number;
  /**
   * How long the cursor may wait to be written when it moved past records that are no log line
   * (the per-second stats): a restart re-reads at most that much, which changes nothing (the
   * sessions skip what they folded). One transaction per this instead of one a second.
   * @default 10000
   */
  cursorMs?: number;
}

/** The running consumer of the event stream that keeps the logs. */
export interface LogIngest {
  /** Writes every row received so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const RETRY_MS = [250, 500, 1_000, 2_000, 5_000, 10_000];

/**
 * Follows every tenant's events from where it stopped (its cursor is stored with the rows, in
 * the same transaction), keeps the `log://log` ones in the store, and reports `settings_changed`.
 * Rows are written in batches; a store outage holds the stream back instead of losing rows.
 * Resolves once it follows the stream.
 */
export async function startLogIngest(
  bus: Bus,
  store: LogStore,
  options: LogIngestOptions,
): Promise<LogIngest> {
  const {
    logger,
    maxRows,
    onSettingsChanged,
    onTenant,
    onEvent,
    keep,
    batchRows = 1000,
    flushMs = 100,
    cursorMs = 10_000,
  } = options;
  const slack = Math.max(1, Math.ceil(maxRows / 100));
  const pending: LogRow[] = [];
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  let cursor: StreamCursor | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** When the pending timer fires (monotonic ms). */
  let timerDue = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let chain: Promise<void> = Promise.resolve();
  let failures = 0;
  let closed = false;
  let generation = 0;
  let subscription: Subscription | null = null;

  const stored = await store.cursor();
  const last = await bus.lastSeq();
  // A stored cursor beyond the stream's end means the stream restarted (the in-process bus of
  // a desktop host numbers from 1 on every start): read it all, rows already kept are skipped.
  let verify: StreamCursor | null = stored && stored.seq <= last ? stored : null;
  follow(verify ? verify.seq : 1);

  function follow(fromSeq: number): void {
    const mine = ++generation;
    const previous = subscription;
    subscription = bus.follow(eventFilter(), { fromSeq }, (record) => handle(record, mine));
    void previous?.close();
  }

  async function handle(record: StreamRecord, mine: number): Promise<void> {
    if (closed || mine !== generation) return;
    const parsed = BusEvent.safeParse(record.data);
    const time = parsed.success ? wholeTime(parsed.data.time) : Date.now();
    if (verify) {
      const check = verify;
      verify = null;
      if (record.seq === check.seq) {
        if (time === check.time) return; // the cursor's own record: kept already
        follow(1); // same number, other record: a new stream
        return;
      }
    }
    cursor = { seq: record.seq, time };
    if (parsed.success) take(parsed.data, record.seq, time);
    schedule();
    while (pending.length >= batchRows && !closed && mine === generation) await flushOnce();
  }

  function take(event: BusEvent, seq: number, time: number): void {
    try {
      onEvent?.(event, seq, time);
    } catch (error) {
      logger.warn({ err: error, event: event.event }, "An event could not be folded in");
    }
    if (event.event === "settings_changed") {
      onSettingsChanged?.(event.tenantId);
      return;
    }
    if (event.event !== "log://log") return;
    const payload = LogRecord.safeParse(event.payload);
    if (!payload.success) return;
    if (!seen.has(event.tenantId)) {
      seen.add(event.tenantId);
      onTenant?.(event.tenantId);
    }
    if (keep && !keep(event.tenantId, time)) return;
    pending.push({ tenantId: event.tenantId, seq, time, ...payload.data });
  }

  /** Rows are written within `flushMs`; a cursor with no row to go with it within `cursorMs`. */
  function schedule(): void {
    if (closed) return;
    const wait = pending.length > 0 ? flushMs : cursorMs;
    const due = performance.now() + wait;
    if (timer !== undefined) {
      if (timerDue <= due) return;
      clearTimeout(timer);
    }
    timerDue = due;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, wait);
  }

  function flush(): Promise<void> {
    chain = chain.then(write);
    return chain;
  }

  /** One attempt; after a failure, waits its back-off first so callers in a loop slow down. */
  async function flushOnce(): Promise<void> {
    await flush();
    if (failures > 0) await delay(RETRY_MS[Math.min(failures, RETRY_MS.length) - 1]!);
  }

  async function write(): Promise<void> {
    if (pending.length === 0 && cursor === null) return;
    const rows = pending.splice(0, batchRows);
    const at = pending.length === 0 ? cursor : { seq: rows.at(-1)!.seq, time: rows.at(-1)!.time };
    if (at === cursor) cursor = null;
    try {
      await store.append(rows, at);
      if (failures > 0) logger.info("Log store is writable again");
      failures = 0;
    } catch (error) {
      pending.unshift(...rows);
      if (at && cursor === null) cursor = at;
      // Logged once per outage: each log line becomes another row to write.
      if (failures++ === 0) logger.error({ err: error }, "Could not write logs; retrying");
      if (!closed && retryTimer === undefined) {
        retryTimer = setTimeout(() => {
          retryTimer = undefined;
          schedule();
        }, RETRY_MS[Math.min(failures, RETRY_MS.length) - 1]);
      }
      return;
    }
    await enforceCap(rows);
    if (pending.length > 0) schedule();
  }

  async function enforceCap(rows: LogRow[]): Promise<void> {
    const added = new Map<string, number>();
    for (const row of rows) added.set(row.tenantId, (added.get(row.tenantId) ?? 0) + 1);
    for (const [tenantId, n] of added) {
      try {
        const known = counts.get(tenantId);
        const count = known === undefined ? await store.count(tenantId) : known + n;
        counts.set(tenantId, count);
        if (count > maxRows + slack) {
          await store.cap(tenantId, maxRows);
          counts.set(tenantId, maxRows);
        }
      } catch (error) {
        counts.delete(tenantId);
        logger.warn({ err: error, tenantId }, "Could not apply the log row cap");
      }
    }
  }

  await subscription!.ready;
  return {
    flush,
    async close() {
      closed = true;
      clearTimeout(timer);
      clearTimeout(retryTimer);
      await subscription?.close();
      if (failures === 0) await flush();
    },
  };
}

function wholeTime(time: number): number {
  return Number.isFinite(time) && time >= 0 ? Math.trunc(time) : Date.now();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
