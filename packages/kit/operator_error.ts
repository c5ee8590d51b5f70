/** An error class whose instances are the operator's to fix (a bad or missing setting). */
// deno-lint-ignore no-explicit-any
export type ErrorClass = abstract new (...args: any[]) => Error;

/**
 * For a process's start-up: when `error` is one of `kinds`, prints its message as one line and
 * exits with status 2 (no stack trace for a configuration problem); anything else is rethrown.
 */
export function exitIfOperatorError(error: unknown, ...kinds: ErrorClass[]): never {
  if (!kinds.some((kind) => error instanceof kind)) throw error;
  // deno-lint-ignore no-console
  console.error((error as Error).message);
  Deno.exit(2);
}
