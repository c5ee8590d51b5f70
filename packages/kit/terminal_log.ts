import type { LogRecord } from "./logger.ts";

/** `SPIRITSTREAM_LOG_FORMAT`: `auto` is readable lines on a terminal, JSON elsewhere. */
export type LogFormat = "auto" | "json" | "pretty";

/** Whether the process logs JSON lines: asked for (`--json`, `json`), or stdout is no terminal. */
export function wantsJsonLogs(
  format: LogFormat,
  options: { args: readonly string[]; isTerminal: boolean },
): boolean {
  if (options.args.includes("--json") || format === "json") return true;
  return format === "auto" && !options.isTerminal;
}

// Fields every record carries, or that only a log pipeline wants.
const QUIET = new Set(["level", "levelName", "msg", "time", "mode", "pid", "hostname", "v"]);

/**
 * One record as a person reads it on a terminal, or null to leave it out: the ready line (with
 * its URL) and warnings and errors; the info chatter stays in the Logs screen and log files.
 */
export function readableLine(record: LogRecord): string | null {
  if (record.msg === "SpiritStream is ready" && typeof record.url === "string") {
    return `SpiritStream is ready: open ${record.url} in your browser (Ctrl-C stops it)`;
  }
  if (record.level < 40) return null;
  const label = record.level >= 50 ? "Error" : "Warning";
  const details = Object.entries(record)
    .filter(([key, value]) => !QUIET.has(key) && value !== null && typeof value !== "object")
    .map(([key, value]) => `${key}=${value}`);
  const err = record.err as { message?: unknown } | undefined;
  if (typeof err?.message === "string") details.push(`error=${err.message}`);
  const time = new Date(record.time).toTimeString().slice(0, 8);
  return `${time} ${label}: ${record.msg}${details.length ? ` (${details.join(", ")})` : ""}`;
}

/** A logger destination that writes {@linkcode readableLine}s (already redacted records). */
export function terminalDestination(
  write: (text: string) => void = writeStdout,
): { write(line: string): void } {
  return {
    write(line: string) {
      let text: string | null;
      try {
        text = readableLine(JSON.parse(line));
      } catch {
        text = line.trimEnd();
      }
      if (text !== null) write(`${text}\n`);
    },
  };
}

const encoder = new TextEncoder();

function writeStdout(text: string): void {
  const bytes = encoder.encode(text);
  let written = 0;
  while (written < bytes.length) written += Deno.stdout.writeSync(bytes.subarray(written));
}
