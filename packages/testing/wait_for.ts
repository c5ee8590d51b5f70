/** Options for {@linkcode waitFor}. */
export interface WaitForOptions {
  /** @default 10000 */
  timeoutMs?: number;
  /** @default 50 */
  intervalMs?: number;
  /** Names the awaited condition in the timeout error. */
  what?: string;
}

/** Polls `check` until it returns a truthy value, then returns that value; throws on timeout. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what = "condition" } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}
