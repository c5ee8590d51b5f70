import {
  freePort,
  type NatsServer,
  startNatsServer,
  startPostgres,
  type TestPostgres,
} from "@spiritstream/testing";
import { type DenoProcess, spawnDenoProcess } from "./deno_process.ts";
import { invoke, invokeOk, type InvokeOptions, type InvokeReply } from "./invoke.ts";
import { captureWs, type WsCapture } from "./ws_capture.ts";

/** The processes of the self-host layout. */
export type StackProcess = "gateway" | "profiles" | "encoder" | "events" | "auth";

const ENTRIES: Record<StackProcess, string> = {
  gateway: "gateway/main.ts",
  profiles: "services/profiles/main.ts",
  encoder: "services/encoder/main.ts",
  events: "services/events/main.ts",
  auth: "services/auth/main.ts",
};

/** Options for {@linkcode startNatsStack}. */
export interface NatsStackOptions {
  /** Which processes to run. @default all five */
  processes?: StackProcess[];
  /** Give the profiles service a PostgreSQL database (else SQLite in the data dir). @default false */
  postgres?: boolean;
  /** @default "warn" */
  logLevel?: string;
  env?: Record<string, string>;
}

/** nats-server (+ PostgreSQL) and the gateway and services as separate processes. */
export interface NatsStack {
  readonly base: string;
  readonly nats: NatsServer;
  readonly postgres: TestPostgres | null;
  readonly dataDir: string;
  /** The current process of each service. */
  readonly procs: Map<StackProcess, DenoProcess>;
  /** Every stdout/stderr line of every process so far, including killed ones. */
  allLines(): string[];
  invoke(command: string, body?: unknown, options?: InvokeOptions): Promise<InvokeReply>;
  call<T = unknown>(command: string, body?: unknown): Promise<T>;
  ws(): Promise<WsCapture>;
  /** SIGKILLs one process (a crash); `restart` brings it back. */
  kill(name: StackProcess): Promise<void>;
  /** Starts one process again (stopping it first if it runs). */
  restart(name: StackProcess): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts nats-server (JetStream), optionally PostgreSQL, and `deno run -A <service>/main.ts` for
 * each process; resolves once the gateway's `/ready` finds every started service answering on the
 * bus (each subscribes its commands before its health check, so commands answer from then on).
 */
export async function startNatsStack(options: NatsStackOptions = {}): Promise<NatsStack> {
  const names = options.processes ?? ["profiles", "encoder", "events", "auth", "gateway"];
  const nats = await startNatsServer();
  const postgres = options.postgres ? await startPostgres() : null;
  const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-stack-" });
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const databaseUrl = postgres ? await postgres.createDatabase() : null;
  const procs = new Map<StackProcess, DenoProcess>();
  const retired: DenoProcess[] = [];
  // Encoder workers seal the stream keys they share through NATS with it (like compose's .env).
  const secretKey = Array.from(crypto.getRandomValues(new Uint8Array(32)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");

  function spawn(name: StackProcess): DenoProcess {
    const child = spawnDenoProcess(ENTRIES[name], {
      env: {
        SPIRITSTREAM_NATS_URL: nats.url,
        SPIRITSTREAM_DATA_DIR: dataDir,
        SPIRITSTREAM_PORT: String(port),
        SPIRITSTREAM_LOG_LEVEL: options.logLevel ?? "warn",
        SPIRITSTREAM_RATE_LIMIT: "1000000",
        SPIRITSTREAM_INSTANCE_ID: `${name}-${crypto.randomUUID().slice(0, 8)}`,
        SPIRITSTREAM_SECRET_KEY: secretKey,
        ...(databaseUrl && name === "profiles" ? { SPIRITSTREAM_DATABASE_URL: databaseUrl } : {}),
        ...options.env,
      },
      cwd: dataDir,
    });
    procs.set(name, child);
    return child;
  }

  async function kill(name: StackProcess): Promise<void> {
    const child = procs.get(name);
    if (!child) return;
    procs.delete(name);
    retired.push(child);
    child.kill("SIGKILL");
    await child.exited;
  }

  async function stop(): Promise<void> {
    await Promise.all([...procs.values()].map((child) => child.stop()));
    retired.push(...procs.values());
    procs.clear();
    await nats.stop();
    await postgres?.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }

  for (const name of names) spawn(name);
  try {
    const deadline = Date.now() + 90_000;
    const services = names.filter((name) => name !== "gateway");
    for (;;) {
      if (await servicesReady(base, services)) break;
      const dead = [...procs.entries()].find(([, child]) => child.hasExited);
      if (dead || Date.now() > deadline) {
        const [name, child] = dead ?? ["gateway", procs.get("gateway")!];
        throw new Error(
          `The NATS stack did not come up (${name}): ${
            [...child.errLines, ...child.lines].slice(-8).join("\n")
          }`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    base,
    nats,
    postgres,
    dataDir,
    procs,
    allLines: () =>
      [...retired, ...procs.values()].flatMap((child) => [...child.lines, ...child.errLines]),
    invoke: (command, body, extra) => invoke(base, command, body, extra),
    call: (command, body) => invokeOk(base, command, body),
    ws: () => captureWs(base),
    kill,
    async restart(name) {
      await kill(name);
      spawn(name);
    },
    stop,
  };
}

/** Whether the gateway answers and `/ready` names none of `services` (nor the bus) as failing. */
async function servicesReady(base: string, services: string[]): Promise<boolean> {
  try {
    const response = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(5000) });
    const report = await response.json() as { ready: boolean; failed?: string[] };
    if (report.ready) return true;
    const failed = report.failed ?? [];
    return !failed.includes("bus") &&
      !failed.some((check) => services.includes(check.split(".")[0] ?? check));
  } catch {
    return false;
  }
}
