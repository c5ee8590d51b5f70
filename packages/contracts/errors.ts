import { z } from "zod";

/** Stable machine codes for every failure that crosses the bus or reaches a client. */
export const ErrorCode = z.enum([
  "invalid_argument",
  "unknown_command",
  "not_implemented",
  "not_found",
  "conflict",
  "failed_precondition",
  "unauthenticated",
  "permission_denied",
  "payload_too_large",
  "rate_limited",
  "unavailable",
  "timeout",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** The HTTP status each error code maps to (SpiritStream answers command failures with 400). */
export const STATUS_BY_CODE: Record<ErrorCode, number> = {
  invalid_argument: 400,
  unknown_command: 400,
  not_implemented: 400,
  not_found: 400,
  conflict: 400,
  failed_precondition: 400,
  unauthenticated: 401,
  permission_denied: 403,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};

/** How a failure travels over the bus: `{ code, message }`, rebuilt into an AppError on receipt. */
export const WireError = z.object({ code: ErrorCode, message: z.string() });
export type WireError = z.infer<typeof WireError>;

/** Options for {@linkcode AppError}. */
export interface AppErrorOptions {
  /** The underlying error, kept for logs; never sent to clients. */
  cause?: unknown;
}

/** A failure with a stable code; the gateway's one error handler turns it into the envelope. */
export class AppError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
  }
  /** The HTTP status for this error's code. */
  get status(): number {
    return STATUS_BY_CODE[this.code];
  }
  /** The bus form of this error. */
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** Rebuilds an AppError from its bus form. */
export function fromWire(wire: WireError): AppError {
  return new AppError(wire.code, wire.message);
}

/** Turns a zod failure into one sentence naming the field path and the rule. */
export function describeZodError(error: z.ZodError, root = ""): string {
  return error.issues.slice(0, 3).map((issue) => {
    const path = [root, ...issue.path.map(String)].filter((p) => p !== "").join(".");
    return path
      ? `Invalid argument "${path}": ${issue.message}`
      : `Invalid argument: ${issue.message}`;
  }).join("; ");
}
