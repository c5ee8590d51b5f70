import { freePort } from "@spiritstream/testing";
import { type DenoProcess, spawnDenoProcess } from "./deno_process.ts";
import { invoke, invokeOk, type InvokeOptions, type InvokeReply } from "./invoke.ts";
import { captureWs, type WsCapture } from "./ws_capture.ts";

/** Options for {@linkcode startDesktopHost}. */
export interface DesktopHostOptions {
  /** Data dir to use (kept on stop). Default: a temp dir removed on stop. */
  dataDir?: string;
  /** SPIRITSTREAM_API_TOKEN; every call then sends it. */
  token?: string;
  /** @default "info" */
  logLevel?: string;
  /** More environment (SPIRITSTREAM_*, LD_PRELOAD, ...). */
  env?: Record<string, string>;
  /** Program and arguments put before `deno` (e.g. an `sh -c 'ulimit …; exec "$0" "$@"'`). */
  wrapper?: string[];
  /** @default 60000 */
  readyTimeoutMs?: number;
  /** Flags for `deno run` before main.ts (`--inspect=…`, `--v8-flags=--trace-gc`). */
  denoFlags?: string[];
  /** Another checkout whose main.ts to run (an A/B of two versions). Default: this one. */
  root?: string;
}

/** A running desktop host (`deno run -A main.ts`) on a free loopback port. */
export interface DesktopHost {
  readonly base: string;
  readonly port: number;
  readonly dataDir: string;
  readonly token: string | null;
  readonly process: DenoProcess;
  /** Milliseconds from spawn to the first `/health` 200. */
  readonly startupMs: number;
  invoke(command: string, body?: unknown, options?: InvokeOptions): Promise<InvokeReply>;
  /** Throws unless 200/ok; returns `data`. */
  call<T = unknown>(command: string, body?: unknown): Promise<T>;
  /** A `/ws` client (authenticated with the token); `query` e.g. `{ since: "12" }`. */
  ws(query?: Record<string, string>): Promise<WsCapture>;
  /** True while `/health` answers 200. */
  healthy(): Promise<boolean>;
  /** SIGTERM (SIGKILL after 10 s); removes a temp data dir. */
  stop(): Promise<Deno.CommandStatus>;
}

/**
 * Spawns the one-process host with a temp data dir (its working directory too, so a relative
 * path a command receives lands there) and waits for `/health`. The rate limit is lifted so
 * benchmarks and fuzzing measure the host, not the limiter.
 */
export async function startDesktopHost(options: DesktopHostOptions = {}): Promise<DesktopHost> {
  const ownDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? await Deno.makeTempDir({ prefix: "spiritstream-host-" });
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const token = options.token ?? null;
  const started = performance.now();
  const child = spawnDenoProcess("main.ts", {
    env: {
      SPIRITSTREAM_DATA_DIR: dataDir,
      SPIRITSTREAM_PORT: String(port),
      SPIRITSTREAM_LOG_LEVEL: options.logLevel ?? "info",
      SPIRITSTREAM_RATE_LIMIT: "1000000",
      ...(token ? { SPIRITSTREAM_API_TOKEN: token } : {}),
      ...options.env,
    },
    cwd: dataDir,
    wrapper: options.wrapper,
    denoFlags: options.denoFlags,
    root: options.root,
  });

  async function healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  async function cleanup(): Promise<Deno.CommandStatus> {
    const status = await child.stop();
    if (ownDir) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    return status;
  }

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (!(await healthy())) {
    if (child.hasExited || Date.now() > deadline) {
      await cleanup();
      const why = child.hasExited ? "exited" : "did not answer /health in time";
      throw new Error(
        `Desktop host ${why}: ${[...child.errLines, ...child.lines].slice(-10).join("\n")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const startupMs = performance.now() - started;
  const auth = { token };
  return {
    base,
    port,
    dataDir,
    token,
    process: child,
    startupMs,
    invoke: (command, body, extra) => invoke(base, command, body, { ...auth, ...extra }),
    call: (command, body) => invokeOk(base, command, body, auth),
    ws: (query) => captureWs(base, token, query),
    healthy,
    stop: cleanup,
  };
}
