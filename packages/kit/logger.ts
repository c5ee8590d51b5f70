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
  const destination = options.destination ?? pino.destination({ dest: 1, sync: false });
  const stream = onRecord ? tap(destination, onRecord) : destination;
  return pino({
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
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  }, stream);
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
