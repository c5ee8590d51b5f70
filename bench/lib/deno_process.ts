/** Options for {@linkcode spawnDenoProcess}. */
export interface DenoProcessOptions {
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Program and arguments put before `deno` (e.g. `["sh", "-c", "…"]`). */
  wrapper?: string[];
  /** Flags between `deno run -A` and the entry (`--inspect=…`, `--v8-flags=…`). */
  denoFlags?: string[];
  /** Another checkout to run the entry from (an A/B of two versions). Default: this one. */
  root?: string;
}

/** A `deno run -A <entry>` child whose stdout and stderr lines are kept. */
export interface DenoProcess {
  readonly pid: number;
  /** Every stdout line so far (JSON log records in our processes). */
  readonly lines: string[];
  /** Every stderr line so far. */
  readonly errLines: string[];
  readonly exited: Promise<Deno.CommandStatus>;
  readonly hasExited: boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit status once gone. */
  stop(graceMs?: number): Promise<Deno.CommandStatus>;
  /** Sends a signal now (SIGKILL by default), like a crash. */
  kill(signal?: Deno.Signal): void;
}

const ROOT = new URL("../../", import.meta.url).pathname;

/** Absolute path of a file in the repository (`main.ts`, `services/encoder/main.ts`, ...). */
export function repoPath(relative: string): string {
  return `${ROOT}${relative}`;
}

/** Spawns `deno run -A <entry>` (entry relative to the repo root) and keeps its output lines. */
export function spawnDenoProcess(entry: string, options: DenoProcessOptions = {}): DenoProcess {
  const argv = [
    ...(options.wrapper ?? []),
    Deno.execPath(),
    "run",
    "-A",
    ...(options.denoFlags ?? []),
    options.root ? `${options.root.replace(/\/?$/, "/")}${entry}` : repoPath(entry),
  ];
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    env: options.env,
    cwd: options.cwd ?? ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const errLines: string[] = [];
  const drained = Promise.all([collect(child.stdout, lines), collect(child.stderr, errLines)]);
  let hasExited = false;
  const exited = Promise.all([child.status, drained]).then(([status]) => {
    hasExited = true;
    return status;
  });
  function kill(signal: Deno.Signal = "SIGKILL"): void {
    if (hasExited) return;
    try {
      child.kill(signal);
    } catch {
      // exited meanwhile
    }
  }
  return {
    pid: child.pid,
    lines,
    errLines,
    exited,
    get hasExited() {
      return hasExited;
    },
    async stop(graceMs = 10_000) {
      kill("SIGTERM");
      const timer = setTimeout(() => kill("SIGKILL"), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill,
  };
}

async function collect(stream: ReadableStream<Uint8Array>, into: string[]): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  try {
    for await (const chunk of stream) {
      rest += decoder.decode(chunk, { stream: true });
      const parts = rest.split("\n");
      rest = parts.pop() ?? "";
      into.push(...parts);
    }
  } catch {
    // the pipe broke with the process
  }
  if (rest) into.push(rest);
}
