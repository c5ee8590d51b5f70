import { waitFor } from "@spiritstream/testing";

/** How to run one process of the stack. */
export interface ProcessSpec {
  name: string;
  cmd: string;
  args: string[];
  /** Added to the inherited environment. */
  env?: Record<string, string>;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** True once a freshly started process serves (polled). */
  ready(): Promise<boolean>;
  /** Signal for a graceful stop. @default "SIGTERM" */
  stopSignal?: Deno.Signal;
}

/** One supervised process: restarted with back-off whenever it dies unasked. */
export interface StackProcess {
  readonly name: string;
  /** The running incarnation's pid (0 while it is down). */
  readonly pid: number;
  /** How many times the supervisor restarted it after it died. */
  readonly restarts: number;
  /** Sends `signal` (default SIGKILL, like a crash); the supervisor brings it back. */
  kill(signal?: Deno.Signal): void;
  /** Stops it gracefully and starts it again at once; resolves when it is ready. */
  restart(): Promise<void>;
  /** Resolves when the running incarnation is ready. */
  ready(timeoutMs?: number): Promise<void>;
  /** Stops it for good (graceful, then SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 8_000;
/** A process that ran this long before dying starts again from the shortest back-off. */
const STABLE_MS = 10_000;

/**
 * Starts `spec` and keeps it running: when it exits without being asked to, it is started again
 * after 250 ms, doubling up to 8 s while it keeps dying young. `onEvent` hears each restart.
 */
export function supervise(spec: ProcessSpec, onEvent: (line: string) => void): StackProcess {
  let child: Deno.ChildProcess | null = null;
  let stopping = false;
  let restartAsked = false;
  let restarts = 0;
  let backoff = MIN_BACKOFF_MS;
  let wake: (() => void) | null = null;

  async function launch(): Promise<Deno.ChildProcess> {
    const [out, err] = await Promise.all([openLog(spec.logFile), openLog(spec.logFile)]);
    let spawned: Deno.ChildProcess;
    try {
      spawned = new Deno.Command(spec.cmd, {
        args: spec.args,
        env: spec.env,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        // Its own process group: Ctrl-C on the terminal reaches the stack, which stops the
        // processes in order, instead of reaching every process at once.
        detached: true,
      }).spawn();
    } catch (error) {
      out.close();
      err.close();
      throw error;
    }
    spawned.stdout.pipeTo(out.writable).catch(() => {});
    spawned.stderr.pipeTo(err.writable).catch(() => {});
    return spawned;
  }

  const loop = (async () => {
    while (!stopping) {
      const startedAt = Date.now();
      let status: Deno.CommandStatus | null = null;
      try {
        child = await launch();
        // stop() may have come while the process was being spawned.
        if (stopping) signal(child, spec.stopSignal ?? "SIGTERM");
        status = await child.status;
      } catch (error) {
        onEvent(`${spec.name} could not start: ${(error as Error).message}`);
      }
      child = null;
      if (stopping) break;
      if (restartAsked) {
        restartAsked = false;
        continue;
      }
      restarts++;
      const delay = Date.now() - startedAt > STABLE_MS ? MIN_BACKOFF_MS : backoff;
      backoff = Math.min(delay * 2, MAX_BACKOFF_MS);
      onEvent(`${spec.name} exited (${describe(status)}); restarting in ${delay} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  })();

  async function halt(graceMs: number): Promise<void> {
    const running = child;
    if (!running) return;
    signal(running, spec.stopSignal ?? "SIGTERM");
    const timer = setTimeout(() => signal(running, "SIGKILL"), graceMs);
    await running.status;
    clearTimeout(timer);
  }

  async function ready(timeoutMs = 60_000): Promise<void> {
    await waitFor(async () => child !== null && await spec.ready(), {
      timeoutMs,
      intervalMs: 100,
      what: `${spec.name} to be ready (log: ${spec.logFile})`,
    });
  }

  return {
    name: spec.name,
    get pid() {
      return child?.pid ?? 0;
    },
    get restarts() {
      return restarts;
    },
    kill(sig: Deno.Signal = "SIGKILL") {
      if (child) signal(child, sig);
    },
    async restart() {
      if (child) {
        restartAsked = true;
        await halt(10_000);
      }
      await ready();
    },
    ready,
    async stop(graceMs = 10_000) {
      stopping = true;
      wake?.();
      await halt(graceMs);
      await loop;
    },
  };
}

function signal(child: Deno.ChildProcess, sig: Deno.Signal): void {
  try {
    child.kill(sig);
  } catch {
    // already exited
  }
}

function openLog(path: string): Promise<Deno.FsFile> {
  return Deno.open(path, { create: true, append: true });
}

function describe(status: Deno.CommandStatus | null): string {
  if (!status) return "spawn failed";
  return status.signal ? `signal ${status.signal}` : `code ${status.code}`;
}
