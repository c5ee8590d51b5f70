import { AppError } from "@spiritstream/contracts";
import type { HandoverLink, HandoverRequest } from "./handover_link.ts";

/** The in-process {@linkcode HandoverLink}: workers of one process, a map of handlers. */
export function createMemoryHandoverLink(options: { timeoutMs?: number } = {}): HandoverLink {
  const handlers = new Map<string, (request: HandoverRequest) => Promise<boolean>>();
  const timeoutMs = options.timeoutMs ?? 2000;
  return {
    async ask(owner, request) {
      const handle = handlers.get(owner);
      if (!handle) return "gone";
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new AppError("unavailable", `Encoder worker ${owner} did not answer`)),
          timeoutMs,
        );
      });
      try {
        return await Promise.race([handle(structuredClone(request)), late])
          ? "handed"
          : "not_owner";
      } finally {
        clearTimeout(timer);
      }
    },
    serve(workerId, handle) {
      handlers.set(workerId, handle);
      return {
        ready: Promise.resolve(),
        close() {
          if (handlers.get(workerId) === handle) handlers.delete(workerId);
          return Promise.resolve();
        },
      };
    },
  };
}
