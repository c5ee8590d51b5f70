import pino from "pino";
import { createRedactor, type Redactor } from "./redact.ts";

/** The logger every service receives from `main`. */
export type Logger = pino.Logger;

/** Options for {@linkcode createLogger}. */
export interface LoggerOptions {
  /** @default "info" */
  level?: string;
  /** Where JSON lines go; tests pass a capturing stream. Default: stdout. */
  destination?: { write(line: string): void };
  /** Scrubs secrets from every record. Default: a fresh redactor. */
  redactor?: Redactor;
  /** Fields on every line, e.g. `{ service: "gateway" }`. */
  base?: Record<string, unknown>;
  /** Receives every record after redaction (the events service turns them into `log://log`). */
  onRecord?: (record: LogRecord) => void;
  /** Also receives every line, e.g. a {@linkcode RotatingLogFile} in `SPIRITSTREAM_LOG_DIR`. */
  file?: { write(line: string): void };
}

/** A log record as handed to `onRecord`: already redacted. */
export interface LogRecord {
  level: number;
  msg: string;
  time: number;
  [key: string]: unknown;
}

/** Creates the one pino logger of a process, with secret redaction on every record. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const { level = "info", redactor = createRedactor(), base = {}, onRecord } = options;
  const main = options.destination ?? pino.destination({ dest: 1, sync: false });
  const destination = options.file ? both(main, options.file) : main;
  const stream = onRecord ? tap(destination, onRecord) : destination;
  const logger = pino({
    level,
    base,
    messageKey: "msg",
    errorKey: "err",
    timestamp: pino.stdTimeFunctions.epochTime,
    formatters: {
      level: (label, number) => ({ level: number, levelName: label }),
      log: (object) => redactor.scrubDeep(object),
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a) => typeof a === "string" ? redactor.scrub(a) : a);
        if (isFields(scrubbed[0])) scrubbed[0] = withoutBound(this, scrubbed[0]);
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  }, stream);
  // Children inherit this `child` (pino makes each child from its parent's prototype).
  const child = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    // Bound fields skip `formatters.log`: scrub them here, once, when the child is made.
    const scrubbed = redactor.scrubDeep(bindings) as typeof bindings;
    return child.call(this, withoutBound(this, scrubbed), childOptions);
  } as typeof logger.child;
  return logger;
}

const boundKeys = new WeakMap<object, Record<string, unknown>>();
/** Keys pino writes on every line itself. */
const RESERVED = { level: Symbol("level"), levelName: Symbol(), time: Symbol(), msg: Symbol() };

function isFields(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Error);
}

/**
 * One key per field: pino writes a child's bindings and the call's fields side by side, so a
 * field named like a binding would appear twice in the line (and JSON.parse keeps the last).
 * A repeated field with the same value is dropped; another value is kept as `<key>2`.
 */
function withoutBound(
  logger: Logger,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  let bound = boundKeys.get(logger);
  if (!bound) {
    bound = { ...logger.bindings(), ...RESERVED };
    boundKeys.set(logger, bound);
  }
  let copy: Record<string, unknown> | null = null;
  for (const key of Object.keys(fields)) {
    if (!Object.hasOwn(bound, key)) continue;
    copy ??= { ...fields };
    const value = copy[key];
    delete copy[key];
    if (!sameValue(value, bound[key])) copy[`${key}2`] = value;
  }
  return copy ?? fields;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function both(
  first: { write(line: string): void },
  second: { write(line: string): void },
): { write(line: string): void } {
  return {
    write(line: string) {
      first.write(line);
      second.write(line);
    },
  };
}

function tap(
  destination: { write(line: string): void },
  onRecord: (record: LogRecord) => void,
): { write(line: string): void } {
  return {
    write(line: string) {
      destination.write(line);
      try {
        onRecord(JSON.parse(line));
      } catch {
        // a listener must never break logging
      }
    },
  };
}
