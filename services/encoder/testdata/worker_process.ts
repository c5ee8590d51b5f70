/** Encoder workers as real processes (`main.ts` over NATS), for the multi-worker tests. */

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;

/** The deployment secret the test workers seal their lease store with. */
export const WORKER_SECRET = "failover-test-secret-0123456789abcdef0123";

/** One running worker process. */
export interface WorkerProcess {
  id: string;
  child: Deno.ChildProcess;
  /** The last 20 kB of its stdout and stderr. */
  output: () => string;
  exited: Promise<Deno.CommandStatus>;
}

/** Options for {@linkcode startWorkerProcess}. */
export interface WorkerProcessOptions {
  natsUrl: string;
  dataDir: string;
  /** More SPIRITSTREAM_* variables (a health port, a tenant limit). */
  env?: Record<string, string>;
}

/** Starts `services/encoder/main.ts` as worker `id`. */
export function startWorkerProcess(id: string, options: WorkerProcessOptions): WorkerProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN],
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
    for await (const chunk of stream) tail = (tail + decoder.decode(chunk)).slice(-20_000);
  });
  const exited = Promise.all([child.status, ...drains]).then(([status]) => status);
  return { id, child, output: () => tail, exited };
}

/** SIGTERM, then SIGKILL after 10 s; resolves once the process and its output ended. */
export async function stopWorkerProcess(worker: WorkerProcess): Promise<void> {
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
  }, 10_000);
  await worker.exited;
  clearTimeout(timer);
}
