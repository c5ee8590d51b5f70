import { EVENTS } from "@spiritstream/contracts";
import type { LogRecord } from "@spiritstream/kit";
import type { Bus } from "./bus.ts";
import { createEventPublisher } from "./commands.ts";

/** Options for {@linkcode createLogForwarder}. */
export interface LogForwarderOptions {
  /** The tenant whose dashboards see these records. */
  tenantId: string;
  /** Least severe level forwarded, on the `log://log` scale (1 = error … 5 = trace). @default 3 */
  minLevel?: number;
  /** Records forwarded per second on average. @default 50 */
  ratePerSec?: number;
  /** Records forwarded back to back before the rate applies. @default 200 */
  burst?: number;
  /** Appends waiting on the bus at most; records beyond are dropped. @default 256 */
  maxInFlight?: number;
  /** Longest message forwarded, in characters; longer ones are cut. @default 8192 */
  maxMessageChars?: number;
}

/** Turns log records into `log://log` events on the bus. */
export interface LogForwarder {
  /** Hand this to `createLogger({ onRecord })`; records there are already redacted. */
  onRecord(record: LogRecord): void;
  /** How many records were dropped so far (rate limit, bus backlog or bus failure). */
  dropped(): number;
  /** Stops forwarding and waits for the appends still in flight. */
  close(): Promise<void>;
}

/** Maps pino's numeric levels onto SpiritStream's 1 (error) … 5 (trace). */
export function logEventLevel(pinoLevel: number): number {
  if (pinoLevel >= 50) return 1;
  if (pinoLevel >= 40) return 2;
  if (pinoLevel >= 30) return 3;
  if (pinoLevel >= 20) return 4;
  return 5;
}

/**
 * Forwards a process's log records as `log://log` events, rate-limited by a token bucket so a
 * log storm cannot flood the bus. It never logs itself and ignores records raised while it is
 * forwarding, so it cannot feed on its own output; a summary of dropped records follows a storm.
 */
export function createLogForwarder(bus: Bus, options: LogForwarderOptions): LogForwarder {
  const {
    tenantId,
    minLevel = 3,
    ratePerSec = 50,
    burst = 200,
    maxInFlight = 256,
    maxMessageChars = 8192,
  } = options;
  const publisher = createEventPublisher(bus, EVENTS);
  const inFlight = new Set<Promise<unknown>>();
  let tokens = burst;
  let refilledAt = performance.now();
  let droppedTotal = 0;
  /** Dropped since the last summary was sent. */
  let unreported = 0;
  let forwarding = false;
  let closed = false;

  function takeToken(): boolean {
    const now = performance.now();
    tokens = Math.min(burst, tokens + ((now - refilledAt) / 1000) * ratePerSec);
    refilledAt = now;
    if (tokens < 1 || inFlight.size >= maxInFlight) return false;
    tokens -= 1;
    return true;
  }

  function send(payload: { level: number; message: string; target: string }): void {
    const appended = publisher.emit(tenantId, "log://log", payload).catch(() => {
      // Logging the failure would be forwarded again; counting it is all we may do.
      droppedTotal++;
      unreported++;
    });
    inFlight.add(appended);
    appended.finally(() => inFlight.delete(appended));
  }

  function drop(): void {
    droppedTotal++;
    unreported++;
  }

  return {
    onRecord(record) {
      if (closed || forwarding) return;
      const level = logEventLevel(Number(record.level));
      if (level > minLevel) return;
      forwarding = true;
      try {
        if (!takeToken()) return drop();
        if (unreported > 0) {
          const count = unreported;
          unreported = 0;
          send({
            level: 2,
            target: "spiritstream::log",
            message: `Dropped ${count} log record(s): over the log rate limit or the bus was busy`,
          });
          if (!takeToken()) return drop();
        }
        send({ level, target: targetOf(record), message: messageOf(record, maxMessageChars) });
      } finally {
        forwarding = false;
      }
    },
    dropped: () => droppedTotal,
    async close() {
      closed = true;
      await Promise.all([...inFlight]);
    },
  };
}

function targetOf(record: LogRecord): string {
  for (const key of ["target", "service", "module", "name"]) {
    const value = record[key];
    if (typeof value === "string" && value !== "") return value;
  }
  return "spiritstream";
}

function messageOf(record: LogRecord, maxChars: number): string {
  let message = typeof record.msg === "string" ? record.msg : "";
  // A command's lines name it: "Command done: get_settings (3 ms)", not "Command done".
  if (typeof record.command === "string" && !message.includes(record.command)) {
    message = `${message}: ${record.command}`;
    const details = [
      typeof record.ms === "number" ? `${record.ms} ms` : null,
      typeof record.code === "string" ? record.code : null,
    ].filter(Boolean);
    if (details.length > 0) message += ` (${details.join(", ")})`;
  }
  const err = record.err as { message?: unknown } | undefined;
  if (err && typeof err.message === "string" && !message.includes(err.message)) {
    message = message ? `${message}: ${err.message}` : err.message;
  }
  return message.length > maxChars ? `${message.slice(0, maxChars)}…` : message;
}
