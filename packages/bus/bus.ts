/** A live subscription or service registration; `close()` stops it. */
export interface Subscription {
  /** Resolves once the subscription is active on the server (and, for `follow`, replay began). */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** One record of the durable event stream. */
export interface StreamRecord {
  /** Monotonic sequence number in the stream, starting at 1. */
  seq: number;
  subject: string;
  data: unknown;
}

/** Options for {@linkcode Bus.request}. */
export interface RequestOptions {
  /** @default 10000 */
  timeoutMs?: number;
}

/** Options for {@linkcode Bus.serve}. */
export interface ServeOptions {
  /** Members of one queue group share requests: each request is answered by one of them. */
  queue?: string;
}

/** Options for {@linkcode Bus.follow}. */
export interface FollowOptions {
  /** Deliver records with `seq >= fromSeq` first, then live ones. Default: only new records. */
  fromSeq?: number;
}

/** Handles one request; a thrown AppError travels back as `{code, message}`. */
export type RequestHandler = (data: unknown, subject: string) => Promise<unknown>;

/** Connection state, for `/ready` and the 503 answer. */
export type BusStatus = "connected" | "reconnecting" | "closed";

/**
 * The bus port: request/reply, fire-and-forget publish/subscribe, and a durable, ordered event
 * stream with replay from a sequence number. Data is any JSON value.
 */
export interface Bus {
  /** Sends a request and waits for the reply; throws AppError `timeout` or `unavailable`. */
  request(subject: string, data: unknown, options?: RequestOptions): Promise<unknown>;
  /** Answers requests on a subject (may end in `*` or `>`). */
  serve(subject: string, handler: RequestHandler, options?: ServeOptions): Subscription;
  /** Publishes a non-durable message to current subscribers (at most once). */
  publish(subject: string, data: unknown): Promise<void>;
  /** Receives non-durable messages on a subject (may end in `*` or `>`). */
  subscribe(subject: string, handler: (data: unknown, subject: string) => void): Subscription;
  /**
   * Appends to the durable event stream (subjects under `ss.evt.`; others are refused with
   * `invalid_argument`); resolves to the record's sequence number.
   */
  append(subject: string, data: unknown): Promise<number>;
  /**
   * Delivers stream records matching the filter, in order: replay from `fromSeq`, then live.
   * One handler call at a time (an async handler is awaited); a handler that throws is logged
   * and delivery goes on with the next record.
   */
  follow(
    filter: string,
    options: FollowOptions,
    handler: (record: StreamRecord) => void | Promise<void>,
  ): Subscription;
  /** The sequence number of the newest record in the stream (0 when empty). */
  lastSeq(): Promise<number>;
  status(): BusStatus;
  close(): Promise<void>;
}
