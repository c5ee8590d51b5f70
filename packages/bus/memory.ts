import { AppError, type CommandReply } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type {
  Bus,
  BusStatus,
  FollowOptions,
  RequestHandler,
  RequestOptions,
  ServeOptions,
  StreamRecord,
  Subscription,
} from "./bus.ts";
import { type BusLogger, noopLogger } from "./noop_logger.ts";
import { assertStreamSubject } from "./stream_subjects.ts";
import { subjectMatches } from "./subject_matches.ts";
import { fromReply, toJson, toReply } from "./wire.ts";

/** Options for {@linkcode createMemoryBus}. */
export interface MemoryBusOptions {
  /** How many stream records are kept; older ones are dropped first. @default 100000 */
  maxRecords?: number;
  /** Receives handler failures that are not AppErrors (their message never travels). */
  logger?: Logger;
}

interface Responder {
  pattern: string;
  queue: string | undefined;
  handler: RequestHandler;
}

interface Listener {
  pattern: string;
  handler: (data: unknown, subject: string) => void;
}

interface Follower {
  filter: string;
  /** The next sequence number to look at. */
  cursor: number;
  running: boolean;
  closed: boolean;
  handler: (record: StreamRecord) => void | Promise<void>;
}

interface Slot {
  seq: number;
  subject: string;
  json: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const READY: Promise<void> = Promise.resolve();

/**
 * The in-process bus: the same semantics as NATS (wildcards, queue groups, request/reply with
 * timeout, a durable ordered stream with replay) inside one process, for the desktop build.
 * Every message is copied through JSON, as on a real wire.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const maxRecords = Math.max(1, options.maxRecords ?? 100_000);
  const log: BusLogger = options.logger ?? noopLogger;
  const responders = new Set<Responder>();
  const listeners = new Set<Listener>();
  const followers = new Set<Follower>();
  const pending = new Set<(error: AppError) => void>();
  const turns = new Map<string, number>();
  const ring: Slot[] = [];
  let lastSeq = 0;
  let state: BusStatus = "connected";

  function ensureOpen(): void {
    if (state === "closed") throw new AppError("unavailable", "Message bus closed");
  }

  /** Every responder not in a queue group, plus one member of each group, taking turns. */
  function pickResponders(subject: string): Responder[] {
    const picked: Responder[] = [];
    const groups = new Map<string, Responder[]>();
    for (const responder of responders) {
      if (!subjectMatches(responder.pattern, subject)) continue;
      if (responder.queue === undefined) {
        picked.push(responder);
        continue;
      }
      const key = `${responder.pattern}\u0000${responder.queue}`;
      groups.set(key, [...(groups.get(key) ?? []), responder]);
    }
    for (const [key, members] of groups) {
      const turn = turns.get(key) ?? 0;
      turns.set(key, turn + 1);
      picked.push(members[turn % members.length]!);
    }
    return picked;
  }

  async function answer(responder: Responder, subject: string, json: string): Promise<string> {
    await Promise.resolve();
    let reply: CommandReply;
    try {
      reply = toReply({ ok: true, data: await responder.handler(JSON.parse(json), subject) });
    } catch (error) {
      if (!(error instanceof AppError)) {
        log.error({ err: error, subject }, "Request handler failed");
      }
      reply = toReply({ ok: false, error });
    }
    try {
      return toJson(reply);
    } catch (error) {
      log.error({ err: error, subject }, "Request handler returned data that is not JSON");
      return toJson(toReply({ ok: false, error }));
    }
  }

  function request(subject: string, data: unknown, options: RequestOptions = {}): Promise<unknown> {
    ensureOpen();
    const json = toJson(data);
    const targets = pickResponders(subject);
    if (targets.length === 0) {
      return Promise.reject(new AppError("unavailable", `No service is answering ${subject}`));
    }
    const { timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    return new Promise((resolve, reject) => {
      let settled = false;
      function settle(outcome: () => void): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        pending.delete(abort);
        outcome();
      }
      function abort(error: AppError): void {
        settle(() => reject(error));
      }
      const timer = setTimeout(
        () => abort(new AppError("timeout", `Request timed out: ${subject}`)),
        timeoutMs,
      );
      pending.add(abort);
      // Like NATS without a queue group, every plain responder gets the request; the first
      // reply wins.
      for (const target of targets) {
        answer(target, subject, json).then((reply) =>
          settle(() => {
            try {
              resolve(fromReply(JSON.parse(reply), subject));
            } catch (error) {
              reject(error);
            }
          })
        );
      }
    });
  }

  function serve(subject: string, handler: RequestHandler, options: ServeOptions = {}) {
    ensureOpen();
    const responder: Responder = { pattern: subject, queue: options.queue, handler };
    responders.add(responder);
    return subscription(() => responders.delete(responder));
  }

  function publish(subject: string, data: unknown): Promise<void> {
    ensureOpen();
    const json = toJson(data);
    for (const listener of listeners) {
      if (!subjectMatches(listener.pattern, subject)) continue;
      queueMicrotask(() => {
        if (!listeners.has(listener)) return;
        try {
          listener.handler(JSON.parse(json), subject);
        } catch (error) {
          log.error({ err: error, subject }, "Subscription handler failed");
        }
      });
    }
    return Promise.resolve();
  }

  function subscribe(subject: string, handler: Listener["handler"]): Subscription {
    ensureOpen();
    const listener: Listener = { pattern: subject, handler };
    listeners.add(listener);
    return subscription(() => listeners.delete(listener));
  }

  function append(subject: string, data: unknown): Promise<number> {
    ensureOpen();
    assertStreamSubject(subject);
    const json = toJson(data);
    const seq = ++lastSeq;
    ring[(seq - 1) % maxRecords] = { seq, subject, json };
    for (const follower of followers) wake(follower);
    return Promise.resolve(seq);
  }

  function oldestSeq(): number {
    return Math.max(1, lastSeq - maxRecords + 1);
  }

  /** Starts delivering to a follower unless a delivery loop already runs for it. */
  function wake(follower: Follower): void {
    if (follower.running || follower.closed) return;
    follower.running = true;
    pump(follower);
  }

  async function pump(follower: Follower): Promise<void> {
    // Deliver asynchronously, never inside `append` or `follow` themselves.
    await Promise.resolve();
    while (!follower.closed && follower.cursor <= lastSeq) {
      follower.cursor = Math.max(follower.cursor, oldestSeq());
      const slot = ring[(follower.cursor - 1) % maxRecords]!;
      follower.cursor++;
      if (!subjectMatches(follower.filter, slot.subject)) continue;
      try {
        await follower.handler({
          seq: slot.seq,
          subject: slot.subject,
          data: JSON.parse(slot.json),
        });
      } catch (error) {
        log.error({ err: error, subject: slot.subject, seq: slot.seq }, "Follow handler failed");
      }
    }
    // No await between the last check and this line: an append now finds the loop stopped.
    follower.running = false;
  }

  function follow(
    filter: string,
    options: FollowOptions,
    handler: Follower["handler"],
  ): Subscription {
    ensureOpen();
    assertStreamSubject(filter);
    const cursor = options.fromSeq === undefined ? lastSeq + 1 : Math.max(1, options.fromSeq);
    const follower: Follower = { filter, cursor, running: false, closed: false, handler };
    followers.add(follower);
    wake(follower);
    return subscription(() => {
      follower.closed = true;
      followers.delete(follower);
    });
  }

  return {
    request: (subject, data, options) => settled(() => request(subject, data, options)),
    serve,
    publish: (subject, data) => settled(() => publish(subject, data)),
    subscribe,
    append: (subject, data) => settled(() => append(subject, data)),
    follow,
    lastSeq() {
      return settled(() => {
        ensureOpen();
        return Promise.resolve(lastSeq);
      });
    },
    status() {
      return state;
    },
    close() {
      if (state === "closed") return Promise.resolve();
      state = "closed";
      for (const abort of [...pending]) abort(new AppError("unavailable", "Message bus closed"));
      for (const follower of followers) follower.closed = true;
      responders.clear();
      listeners.clear();
      followers.clear();
      return Promise.resolve();
    },
  };
}

/** Runs `fn`, turning a synchronous throw into a rejected promise. */
function settled<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(error);
  }
}

function subscription(stop: () => void): Subscription {
  return {
    ready: READY,
    close() {
      stop();
      return Promise.resolve();
    },
  };
}
