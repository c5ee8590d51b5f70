import type { Logger } from "@spiritstream/kit";

/** The part of the logger the bus uses. */
export type BusLogger = Pick<Logger, "debug" | "info" | "warn" | "error">;

/** A logger that drops everything, for adapters created without one. */
export const noopLogger: BusLogger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
} as unknown as BusLogger;

function noop(): void {}
