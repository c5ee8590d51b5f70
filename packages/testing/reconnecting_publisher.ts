import { startPublisher, type TestPublisher } from "./publisher.ts";

/** A publisher that connects again whenever it drops, as OBS does with auto-reconnect. */
export interface ReconnectingPublisher {
  /** How many times it (re)connected. */
  readonly starts: number;
  stop(): Promise<void>;
}

/**
 * Publishes `clip` (default: the test clip) to `url`, restarting FFmpeg `retryMs` after every
 * exit until stopped.
 */
export function startReconnectingPublisher(
  url: string,
  clip?: string,
  retryMs = 500,
): ReconnectingPublisher {
  let current: TestPublisher | null = null;
  let stopped = false;
  let starts = 0;
  const loop = (async () => {
    while (!stopped) {
      current = await startPublisher(url, clip ? { clip } : {});
      starts++;
      await current.exited;
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  })();
  return {
    get starts() {
      return starts;
    },
    async stop() {
      stopped = true;
      await current?.stop();
      await loop;
    },
  };
}
