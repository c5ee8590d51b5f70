import { AppError, EVENT_STREAM } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import {
  connect,
  errors,
  type Msg,
  nanos,
  type NatsConnection,
  type Status,
} from "@nats-io/transport-node";
import {
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
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
import { assertStreamSubject, STREAM_SUBJECTS } from "./stream_subjects.ts";
import { fromJson, fromReply, toJson, toReply } from "./wire.ts";

/** Options for {@linkcode createNatsBus}. */
export interface NatsBusOptions {
  /** NATS server URL(s), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  /** Connection name shown by the server's monitoring. */
  name?: string;
  logger?: Logger;
  /** The JetStream stream behind `append`/`follow`; created or updated on connect. */
  stream?: NatsStreamOptions;
}

/** Limits of the event stream; the oldest records go first. */
export interface NatsStreamOptions {
  /** @default EVENT_STREAM */
  name?: string;
  /** @default 604800000 (7 days) */
  maxAgeMs?: number;
  /** @default 100000 */
  maxMsgs?: number;
  /** @default 1 */
  replicas?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The bus over NATS: core request/reply and publish/subscribe, and a JetStream stream for the
 * durable events. Reconnects forever; while the server is away, requests and appends fail fast
 * with `unavailable` and follows resume where they stopped once it is back.
 */
export async function createNatsBus(options: NatsBusOptions): Promise<Bus> {
  const log: BusLogger = options.logger ?? noopLogger;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: options.servers,
      name: options.name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
  } catch (error) {
    throw new AppError("unavailable", "Message bus unavailable", { cause: error });
  }
  // Watch from the start: a drop while the stream is being set up must not go unnoticed.
  const statuses = nc.status();
  const streamName = options.stream?.name ?? EVENT_STREAM;
  try {
    const jsm = await jetstreamManager(nc);
    await ensureStream(jsm, { ...options.stream, name: streamName });
    return natsBus(nc, jsm, { streamName, statuses, log });
  } catch (error) {
    await nc.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError("unavailable", `Event stream ${streamName} is not usable: ${reason}`, {
      cause: error,
    });
  }
}

/** Creates or updates the event stream; safe when several processes start at once. */
async function ensureStream(
  jsm: JetStreamManager,
  options: NatsStreamOptions & { name: string },
): Promise<void> {
  const {
    name,
    maxAgeMs = 7 * 24 * 3600_000,
    maxMsgs = 100_000,
    replicas = 1,
  } = options;
  const wanted: Partial<StreamConfig> & { name: string } = {
    name,
    subjects: [STREAM_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(maxAgeMs),
    max_msgs: maxMsgs,
    num_replicas: replicas,
  };
  // Several processes may get here at once: a lost race to create shows up as an API error
  // ("name in use", "subjects overlap"), after which the stream exists and is looked up again.
  for (let attempt = 1;; attempt++) {
    try {
      const { config } = await jsm.streams.info(name);
      const same = config.subjects?.join() === STREAM_SUBJECTS &&
        config.max_age === wanted.max_age && config.max_msgs === maxMsgs &&
        config.num_replicas === replicas;
      if (!same) await jsm.streams.update(name, wanted);
      return;
    } catch (error) {
      if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    }
    try {
      await jsm.streams.add(wanted);
      return;
    } catch (error) {
      if (!(error instanceof JetStreamApiError) || attempt >= 3) throw error;
    }
  }
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

interface NatsBusContext {
  streamName: string;
  statuses: AsyncIterable<Status>;
  log: BusLogger;
}

function natsBus(nc: NatsConnection, jsm: JetStreamManager, context: NatsBusContext): Bus {
  const { streamName, statuses, log } = context;
  const js: JetStreamClient = jsm.jetstream();
  const onStatus = new Set<(status: BusStatus) => void>();
  const subscriptions = new Set<Subscription>();
  let state: BusStatus = "connected";

  function setState(next: BusStatus): void {
    if (state === "closed" || state === next) return;
    state = next;
    for (const listener of [...onStatus]) listener(next);
  }

  const watching = (async () => {
    for await (const event of statuses) {
      if (event.type === "disconnect") {
        log.warn("Message bus disconnected; reconnecting");
        setState("reconnecting");
      } else if (event.type === "reconnect") {
        log.info("Message bus reconnected");
        setState("connected");
      } else if (event.type === "close") {
        break;
      }
    }
  })();
  nc.closed().then(() => setState("closed"));

  function ensureUsable(): void {
    if (state === "closed") throw new AppError("unavailable", "Message bus closed");
    if (state === "reconnecting") throw new AppError("unavailable", "Message bus unavailable");
  }

  /** Fails `work` with `unavailable` as soon as the connection drops, instead of at its timeout. */
  function whileConnected<T>(work: Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      function drop(status: BusStatus): void {
        if (status === "connected") return;
        const message = status === "closed" ? "Message bus closed" : "Message bus unavailable";
        reject(new AppError("unavailable", message));
      }
      onStatus.add(drop);
      work.then(resolve, reject).finally(() => onStatus.delete(drop));
    });
  }

  function track(subscription: Subscription): Subscription {
    subscriptions.add(subscription);
    return {
      ready: subscription.ready,
      close() {
        subscriptions.delete(subscription);
        return subscription.close();
      },
    };
  }

  async function request(subject: string, data: unknown, options: RequestOptions = {}) {
    ensureUsable();
    const { timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    let reply: Msg;
    try {
      reply = await whileConnected(nc.request(subject, toJson(data), { timeout: timeoutMs }));
    } catch (error) {
      throw toAppError(error, subject);
    }
    const parsed = fromJson(reply.string());
    if (!parsed) throw new AppError("internal", `Malformed reply on ${subject}`);
    return fromReply(parsed.value, subject);
  }

  async function answer(msg: Msg, handler: RequestHandler): Promise<void> {
    const input = fromJson(msg.string());
    let outcome: { ok: true; data: unknown } | { ok: false; error: unknown };
    if (!input) {
      const error = new AppError("invalid_argument", `Message on ${msg.subject} is not JSON`);
      outcome = { ok: false, error };
    } else {
      try {
        outcome = { ok: true, data: await handler(input.value, msg.subject) };
      } catch (error) {
        if (!(error instanceof AppError)) {
          log.error({ err: error, subject: msg.subject }, "Request handler failed");
        }
        outcome = { ok: false, error };
      }
    }
    if (!msg.reply) return;
    let body: string;
    try {
      body = toJson(toReply(outcome));
    } catch (error) {
      log.error(
        { err: error, subject: msg.subject },
        "Request handler returned data that is not JSON",
      );
      body = toJson(toReply({ ok: false, error }));
    }
    try {
      msg.respond(body);
    } catch (error) {
      log.warn({ err: error, subject: msg.subject }, "Could not send a reply");
    }
  }

  function serve(subject: string, handler: RequestHandler, options: ServeOptions = {}) {
    ensureOpen();
    const sub = nc.subscribe(subject, {
      queue: options.queue,
      callback: (error, msg) => {
        if (error) {
          log.warn({ err: error, subject }, "Subscription failed");
          return;
        }
        answer(msg, handler);
      },
    });
    return track({ ready: settledReady(nc.flush()), close: () => unsubscribe(sub) });
  }

  function subscribe(subject: string, handler: (data: unknown, subject: string) => void) {
    ensureOpen();
    const sub = nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) {
          log.warn({ err: error, subject }, "Subscription failed");
          return;
        }
        const input = fromJson(msg.string());
        if (!input) {
          log.warn({ subject: msg.subject }, "Dropped a message that is not JSON");
          return;
        }
        try {
          handler(input.value, msg.subject);
        } catch (handlerError) {
          log.error({ err: handlerError, subject: msg.subject }, "Subscription handler failed");
        }
      },
    });
    return track({ ready: settledReady(nc.flush()), close: () => unsubscribe(sub) });
  }

  function ensureOpen(): void {
    if (state === "closed") throw new AppError("unavailable", "Message bus closed");
  }

  /** Unsubscribes and, when connected, waits until the server has processed it. */
  async function unsubscribe(sub: { unsubscribe(): void }): Promise<void> {
    try {
      sub.unsubscribe();
      if (state === "connected") await whileConnected(nc.flush());
    } catch {
      // closed or disconnected: the server forgets the subscription on its own
    }
  }

  async function append(subject: string, data: unknown): Promise<number> {
    ensureUsable();
    assertStreamSubject(subject);
    try {
      const ack = await whileConnected(
        js.publish(subject, toJson(data), { expect: { streamName } }),
      );
      return ack.seq;
    } catch (error) {
      throw toAppError(error, subject);
    }
  }

  async function lastSeq(): Promise<number> {
    ensureUsable();
    try {
      const info = await whileConnected(jsm.streams.info(streamName));
      return info.state.last_seq;
    } catch (error) {
      throw toAppError(error, streamName);
    }
  }

  function follow(
    filter: string,
    options: FollowOptions,
    handler: (record: StreamRecord) => void | Promise<void>,
  ): Subscription {
    ensureOpen();
    assertStreamSubject(filter);
    return track(followStream({ js, jsm, streamName, log, onStatus, status: () => state }, {
      filter,
      fromSeq: options.fromSeq,
      handler,
    }));
  }

  return {
    request,
    serve,
    publish(subject, data) {
      try {
        ensureOpen();
        nc.publish(subject, toJson(data));
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(toAppError(error, subject));
      }
    },
    subscribe,
    append,
    follow,
    lastSeq,
    status() {
      return state;
    },
    async close() {
      if (state === "closed") return;
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      subscriptions.clear();
      await nc.close();
      setState("closed");
      await watching;
    },
  };
}

interface FollowContext {
  js: JetStreamClient;
  jsm: JetStreamManager;
  streamName: string;
  log: BusLogger;
  onStatus: Set<(status: BusStatus) => void>;
  status: () => BusStatus;
}

interface FollowRequest {
  filter: string;
  fromSeq: number | undefined;
  handler: (record: StreamRecord) => void | Promise<void>;
}

/**
 * Follows the stream with an ordered consumer. The consumer is dropped when the connection
 * drops and recreated after the last delivered sequence once it is back, so a server restart
 * neither repeats nor skips records.
 */
function followStream(context: FollowContext, request: FollowRequest): Subscription {
  const { js, jsm, streamName, log, onStatus, status } = context;
  const { filter, handler } = request;
  let closed = false;
  let delivering = false;
  /** The newest sequence delivered (or known to be older than what this follow wants). */
  let cursor: number | undefined;
  let current: ConsumerMessages | null = null;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => markReady = resolve);
  /** Ends the current `pause()` early; set while one is pending. */
  let wake: () => void = () => {};

  function watch(next: BusStatus): void {
    if (next !== "connected") current?.stop();
    wake();
  }
  onStatus.add(watch);

  /** Resolves once connected (or closed); with `ms`, after that long or on any status change. */
  function pause(ms?: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<void>((resolve) => {
      wake = () => {
        if (closed || ms !== undefined || status() !== "reconnecting") resolve();
      };
      if (ms !== undefined) timer = setTimeout(resolve, ms);
      else wake();
    }).finally(() => {
      clearTimeout(timer);
      wake = () => {};
    });
  }

  async function startSeq(): Promise<number> {
    if (cursor !== undefined) return cursor + 1;
    if (request.fromSeq !== undefined) return Math.max(1, request.fromSeq);
    cursor = (await jsm.streams.info(streamName)).state.last_seq;
    return cursor + 1;
  }

  async function deliver(seq: number, subject: string, text: string): Promise<void> {
    const input = fromJson(text);
    if (!input) {
      log.warn({ subject, seq }, "Skipped a stream record that is not JSON");
      return;
    }
    delivering = true;
    try {
      await handler({ seq, subject, data: input.value });
    } catch (error) {
      log.error({ err: error, subject, seq }, "Follow handler failed");
    } finally {
      delivering = false;
    }
  }

  async function run(): Promise<void> {
    let failures = 0;
    while (!closed) {
      await pause();
      if (closed || status() === "closed") break;
      let messages: ConsumerMessages | null = null;
      try {
        const consumer = await js.consumers.get(streamName, {
          filter_subjects: filter,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: await startSeq(),
        });
        messages = await consumer.consume({ max_messages: 256 });
        current = messages;
        if (closed || status() !== "connected") messages.stop();
        markReady();
        failures = 0;
        for await (const msg of messages) {
          if (closed) break;
          if (cursor !== undefined && msg.seq <= cursor) continue;
          cursor = msg.seq;
          await deliver(msg.seq, msg.subject, msg.string());
        }
        // Ordered consumers are ephemeral; deleting spares the server its idle timeout.
        if (status() === "connected") await consumer.delete().catch(() => false);
      } catch (error) {
        failures++;
        log.warn({ err: error, filter }, "Stream follow interrupted; retrying");
      } finally {
        messages?.stop();
        current = null;
      }
      if (!closed) await pause(Math.min(2_000, 50 * 2 ** failures));
    }
    markReady();
  }

  const running = run();
  return {
    ready,
    async close() {
      if (closed) return;
      closed = true;
      onStatus.delete(watch);
      wake();
      current?.stop();
      // A handler that closes its own follow must not wait for itself.
      if (!delivering) await running;
    },
  };
}

/** `ready` for a subscription: rejections are marked handled so nobody has to await it. */
function settledReady(flushed: Promise<void>): Promise<void> {
  flushed.catch(() => {});
  return flushed;
}

/** Maps a NATS failure onto the bus's AppError codes. */
function toAppError(error: unknown, subject: string): AppError {
  if (error instanceof AppError) return error;
  if (hasCause(error, (e) => e instanceof errors.TimeoutError)) {
    return new AppError("timeout", `Request timed out: ${subject}`, { cause: error });
  }
  if (hasCause(error, isNoResponders)) {
    return new AppError("unavailable", `No service is answering ${subject}`, { cause: error });
  }
  if (
    hasCause(
      error,
      (e) =>
        e instanceof errors.ClosedConnectionError || e instanceof errors.DrainingConnectionError,
    )
  ) {
    return new AppError("unavailable", "Message bus closed", { cause: error });
  }
  return new AppError("internal", `Message bus failure on ${subject}`, { cause: error });
}

function isNoResponders(error: unknown): boolean {
  return error instanceof errors.NoRespondersError ||
    (error instanceof errors.RequestError && error.isNoResponders());
}

function hasCause(error: unknown, test: (error: unknown) => boolean): boolean {
  for (let e = error, depth = 0; e && depth < 5; depth++) {
    if (test(e)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
