/** What {@linkcode runCommand} saw: exit code, both streams as text, and whether it was killed. */
export interface CommandResult {
  code: number;
  success: boolean;
  stdout: string;
  stderr: string;
  /** True when the process outlived `timeoutMs` (or its signal aborted) and was killed with SIGKILL. */
  timedOut: boolean;
}

/** Options for {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** Kill the process after this long. @default 10000 */
  timeoutMs?: number;
  /** Run with an empty environment instead of this process's. @default false */
  emptyEnv?: boolean;
  /**
   * Kill the process as soon as its stderr matches: for an answer that is already known (FFmpeg
   * refusing a codec in a container may then hang in the encoder's teardown).
   */
  stopWhen?: RegExp;
  /** Kills the process when aborted (its owner is closing); the result then says `timedOut`. */
  signal?: AbortSignal;
}

/** How long output is still read after the process exited (a child it left may hold the pipes). */
const DRAIN_MS = 1000;

/**
 * Runs a program to completion with stdin closed and a hard timeout. Spawn failures (missing file,
 * no permission) are thrown as Deno errors so callers can name the cause. The timeout bounds the
 * whole call: output is read only briefly past the program's exit, so a child it left behind
 * holding stdout open cannot keep the caller waiting.
 */
export async function runCommand(
  path: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const { timeoutMs = 10_000, emptyEnv = false, stopWhen, signal } = options;
  signal?.throwIfAborted();
  // Never through a shell: the path is the program, the arguments go to it as they are.
  const child = new Deno.Command(path, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    ...(emptyEnv ? { clearEnv: true, env: {} } : {}),
  }).spawn();
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // it exited between the decision and the kill; nothing to stop
    }
  };
  const stdout = new StreamText(child.stdout);
  const stderr = new StreamText(child.stderr, (text) => {
    if (stopWhen?.test(text)) kill();
  });
  let timedOut = false;
  const stop = () => {
    timedOut = true;
    kill();
  };
  const timer = setTimeout(stop, timeoutMs);
  signal?.addEventListener("abort", stop, { once: true });
  try {
    const status = await child.status;
    await Promise.all([stdout.finish(DRAIN_MS), stderr.finish(DRAIN_MS)]);
    return {
      code: status.code,
      success: status.success && !timedOut,
      stdout: stdout.text,
      stderr: stderr.text,
      timedOut,
    };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", stop);
  }
}

/** Reads a stream to text in the background until it ends or {@linkcode finish} gives up. */
class StreamText {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  #text = "";
  #done: Promise<void>;
  #onText: ((text: string) => void) | undefined;

  constructor(stream: ReadableStream<Uint8Array>, onText?: (text: string) => void) {
    this.#reader = stream.getReader();
    this.#onText = onText;
    this.#done = this.#pump();
  }

  get text(): string {
    return this.#text;
  }

  /** Waits up to `ms` for the end of the stream, then stops reading. */
  async finish(ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
    await Promise.race([this.#done, late]);
    clearTimeout(timer);
    await this.#reader.cancel().catch(() => {});
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) break;
        this.#text += this.#decoder.decode(value, { stream: true });
        this.#onText?.(this.#text);
      }
      this.#text += this.#decoder.decode();
    } catch {
      // cancelled by finish(): what was read so far is the output
    }
  }
}
