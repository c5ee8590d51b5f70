/** Many real `/ws` clients in a child process (`ws_crowd_child.ts`), for the connect tests. */
import { stopProcess } from "@spiritstream/testing";

const CHILD = new URL("./ws_crowd_child.ts", import.meta.url).pathname;

/** The crowd's sockets: all open once `open` resolves. */
export interface WsCrowd {
  /** Resolves once every socket is open (or failed to open). */
  readonly open: Promise<{ open: number; failed: number }>;
  /** How many sockets received a frame containing `marker` (after their `open`). */
  expect(marker: string, timeoutMs: number): Promise<{ received: number; sockets: number }>;
  stop(): Promise<void>;
}

/** Starts a child process that opens `count` sockets at once, spread over `urls`. */
export function startWsCrowd(count: number, urls: string[]): WsCrowd {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", CHILD, String(count), urls.join(",")],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines: Record<string, unknown>[] = [];
  let ended = false;
  /** Wakes `next()` the moment a line arrives: the test acts right after the crowd's `open`. */
  let arrived: () => void = () => {};
  const reading = (async () => {
    const decoder = new TextDecoder();
    let pending = "";
    for await (const chunk of child.stdout) {
      pending += decoder.decode(chunk, { stream: true });
      let newline;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line.startsWith("{")) lines.push(JSON.parse(line));
      }
      arrived();
    }
    ended = true;
    arrived();
  })();

  async function next(type: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const index = lines.findIndex((line) => line.type === type);
      if (index >= 0) return lines.splice(index, 1)[0]!;
      if (ended) throw new Error(`The /ws crowd exited before saying "${type}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for "${type}" from the /ws crowd`);
      const { promise, resolve } = Promise.withResolvers<void>();
      arrived = resolve;
      const timer = setTimeout(resolve, left);
      await promise;
      clearTimeout(timer);
    }
  }

  const open = next("open", 120_000) as Promise<unknown> as Promise<
    { open: number; failed: number }
  >;
  open.catch(() => {});
  return {
    open,
    async expect(marker, timeoutMs) {
      await writer.write(new TextEncoder().encode(`expect ${marker} ${timeoutMs}\n`));
      return await next("got", timeoutMs + 30_000) as unknown as {
        received: number;
        sockets: number;
      };
    },
    async stop() {
      try {
        await writer.write(new TextEncoder().encode("quit\n"));
        await writer.close();
      } catch {
        // already gone
      }
      await stopProcess(child, { signal: "SIGTERM", graceMs: 5_000 }).catch(() => {});
      await reading;
    },
  };
}
