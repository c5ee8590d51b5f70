/** Registers a teardown step; steps run in reverse order of registration. */
export type Defer = (stop: () => unknown) => void;

/**
 * Runs `fn`, then every teardown it registered with `defer` (last first), even when `fn` or a
 * setup step half-way through threw, so no nginx, host or nats-server outlives a failed test.
 * A teardown failure is reported only when the test itself passed.
 */
export async function withCleanup<T>(fn: (defer: Defer) => Promise<T>): Promise<T> {
  const stops: (() => unknown)[] = [];
  let failed = false;
  try {
    return await fn((stop) => void stops.push(stop));
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    let firstError: unknown = null;
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        firstError ??= error;
      }
    }
    // deno-lint-ignore no-unsafe-finally
    if (firstError && !failed) throw firstError;
  }
}
