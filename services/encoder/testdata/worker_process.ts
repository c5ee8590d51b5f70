/** Encoder workers as real processes (`main.ts` over NATS), for the multi-worker tests. */

const MAIN = new URL("../main.ts", import.meta.url).pathname;
/** The profiles service alone (`services/profiles/main.ts`), for tests that need its keys. */
export const PROFILES_MAIN = new URL("../../profiles/main.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;

/** The deployment secret the test workers seal their lease store with. */
export const WORKER_SECRET = "failover-test-secret-0123456789abcdef0123";

/** One running worker process. */
export interface WorkerProcess {
  id: string;
  child: Deno.ChildProcess;
  /** The last `tailChars` of its stdout and stderr. */
  output: () => string;
  exited: Promise<Deno.CommandStatus>;
}

/** Options for {@linkcode startWorkerProcess}. */
export interface WorkerProcessOptions {
  natsUrl: string;
  dataDir: string;
  /** More SPIRITSTREAM_* variables (a health port, a tenant limit). */
  env?: Record<string, string>;
  /** Another service's entry point. @default services/encoder/main.ts */
  main?: string;
  /** How much output is kept. @default 20000 */
  tailChars?: number;
}

/** Starts `services/encoder/main.ts` (or `options.main`) as worker `id`. */
export function startWorkerProcess(id: string, options: WorkerProcessOptions): WorkerProcess {
  const tailChars = options.tailChars ?? 20_000;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", options.main ?? MAIN],
    cwd: ROOT,
    env: {
      SPIRITSTREAM_NATS_URL: options.natsUrl,
      SPIRITSTREAM_DATA_DIR: options.dataDir,
      SPIRITSTREAM_INSTANCE_ID: id,
      SPIRITSTREAM_SECRET_KEY: WORKER_SECRET,
      SPIRITSTREAM_LOG_LEVEL: "info",
      ...options.env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  const decoder = new TextDecoder();
  const drains = [child.stdout, child.stderr].map(async (stream) => {
    for await (const chunk of stream) tail = (tail + decoder.decode(chunk)).slice(-tailChars);
  });
  const exited = Promise.all([child.status, ...drains]).then(([status]) => status);
  return { id, child, output: () => tail, exited };
}

/** SIGTERM, then SIGKILL after `killAfterMs`; resolves once the process and its output ended. */
export async function stopWorkerProcess(
  worker: WorkerProcess,
  killAfterMs = 10_000,
): Promise<void> {
  try {
    worker.child.kill("SIGTERM");
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      worker.child.kill("SIGKILL");
    } catch {
      // exited meanwhile
    }
  }, killAfterMs);
  await worker.exited;
  clearTimeout(timer);
}
