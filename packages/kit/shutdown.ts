import type { Logger } from "./logger.ts";

/**
 * Runs `stop` once on SIGINT or SIGTERM, then exits; a second signal exits at once, and so does
 * a `stop` still running after `timeoutMs` (default 10 s).
 */
export function onShutdown(
  logger: Logger,
  stop: () => Promise<void>,
  options: { timeoutMs?: number } = {},
): void {
  let stopping = false;
  const handler = async () => {
    if (stopping) Deno.exit(130);
    stopping = true;
    logger.info("Shutting down");
    const timer = setTimeout(() => Deno.exit(1), options.timeoutMs ?? 10_000);
    try {
      await stop();
    } catch (error) {
      logger.error({ err: error }, "Shutdown failed");
    }
    clearTimeout(timer);
    logger.flush?.();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", handler);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", handler);
}
