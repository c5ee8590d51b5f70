import type { Logger, Redactor } from "@spiritstream/kit";
import { type FfmpegProgress, ProgressParser } from "./progress_parser.ts";

/** Environment variable set on every FFmpeg the engine starts (lets tests find strays). */
export const PROCESS_MARKER_ENV = "SPIRITSTREAM_ENGINE";

/** Options for {@linkcode spawnFfmpeg}. */
export interface SpawnFfmpegOptions {
  logger: Logger;
  redactor: Redactor;
  /** Value of {@linkcode PROCESS_MARKER_ENV}. */
  marker: string;
  /** Pipe stdout to us (FLV on `pipe:1`). @default false */
  stdout?: boolean;
  onProgress?: (progress: FfmpegProgress) => void;
}

/** A running FFmpeg. */
export interface FfmpegProcess {
  readonly pid: number;
  /** FFmpeg's stdin (`pipe:0`); closing it ends the input, so FFmpeg finishes and exits. */
  readonly stdin: WritableStream<Uint8Array>;
  readonly stdout: ReadableStream<Uint8Array> | null;
  /** Resolves when the process exited and its stderr was read. */
  readonly exited: Promise<Deno.CommandStatus>;
  readonly hasExited: boolean;
  /** The last stderr lines, scrubbed of secrets. */
  stderrTail(): string[];
  /** Why it ended, from its last two stderr lines (scrubbed); undefined when it said nothing. */
  failure(): string | undefined;
  /** Ends stdin, waits `graceMs`, then SIGTERM, then SIGKILL; resolves once it is gone. */
  stop(graceMs?: number): Promise<void>;
  kill(signal?: Deno.Signal): void;
}

/**
 * Starts FFmpeg with stdin piped (so it sees EOF when we die), stderr parsed into progress
 * blocks and log lines (scrubbed before they are logged), and the engine's marker in its env.
 */
export function spawnFfmpeg(
  ffmpegPath: string,
  args: string[],
  options: SpawnFfmpegOptions,
): FfmpegProcess {
  const { logger, redactor } = options;
  const command = new Deno.Command(ffmpegPath, {
    args,
    stdin: "piped",
    stdout: options.stdout ? "piped" : "null",
    stderr: "piped",
    env: { [PROCESS_MARKER_ENV]: options.marker },
  });
  const child = command.spawn();
  const tail: string[] = [];
  const parser = new ProgressParser();
  const drained = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of child.stderr) {
        const { lines, blocks } = parser.push(decoder.decode(chunk, { stream: true }));
        for (const raw of lines) {
          const line = redactor.scrub(raw);
          tail.push(line);
          if (tail.length > 12) tail.shift();
          logger.debug({ ffmpeg: line }, "FFmpeg output");
        }
        for (const block of blocks) options.onProgress?.(block);
      }
    } catch {
      // the pipe broke with the process
    }
  })();
  let hasExited = false;
  const exited = Promise.all([child.status, drained]).then(([status]) => {
    hasExited = true;
    return status;
  });

  async function closeStdin(): Promise<void> {
    try {
      await child.stdin.getWriter().close().catch(() => {});
    } catch {
      // stdin is locked by a writer that closes it itself, or already closed
    }
  }

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
    stdin: child.stdin,
    stdout: options.stdout ? child.stdout : null,
    exited,
    get hasExited() {
      return hasExited;
    },
    stderrTail: () => [...tail],
    failure: () => (tail.length > 0 ? tail.slice(-2).join(" ") : undefined),
    async stop(graceMs = 2000) {
      if (hasExited) return;
      await closeStdin();
      const timers: ReturnType<typeof setTimeout>[] = [];
      timers.push(setTimeout(() => kill("SIGTERM"), graceMs));
      timers.push(setTimeout(() => kill("SIGKILL"), graceMs + 2000));
      await exited;
      for (const timer of timers) clearTimeout(timer);
    },
    kill,
  };
}
