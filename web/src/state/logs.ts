import { signal } from "@preact/signals";
import type { EventPayload } from "../api/types.ts";
import { isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";
import { onEvent } from "../api/ws.ts";

/** One log line as the Logs screen shows it. */
export interface LogLine {
  id: number;
  /** Epoch ms when known. */
  time: number | null;
  /** 1 = error, 2 = warn, 3 = info, 4 = debug, 5 = trace. */
  level: number;
  target: string;
  message: string;
}

/** Level names by number. */
export const LEVELS = ["", "error", "warn", "info", "debug", "trace"] as const;

const MAX_LINES = 2000;
let nextId = 1;

/** The tail of the log, oldest first. */
export const logLines = signal<LogLine[]>([]);
/** `unavailable`: the server does not keep recent logs yet. */
export const logsStatus = signal<"idle" | "loading" | "ready" | "unavailable">("idle");

function append(lines: LogLine[]): void {
  const next = logLines.value.concat(lines);
  logLines.value = next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
}

const PINO_LEVELS: Record<number, number> = { 10: 5, 20: 4, 30: 3, 40: 2, 50: 1, 60: 1 };
const NAMED = /^\[(\d{4}-\d{2}-\d{2})\]\[(\d{2}:\d{2}:\d{2})\]\[([^\]]*)\]\[(\w+)\] ?(.*)$/;

/** Reads one stored line: a pino JSON record or SpiritStream's `[date][time][target][LEVEL] text`. */
export function parseLogLine(line: string): LogLine {
  const id = nextId++;
  if (line.startsWith("{")) {
    try {
      const r = JSON.parse(line);
      return {
        id,
        time: typeof r.time === "number" ? r.time : null,
        level: PINO_LEVELS[r.level] ?? 3,
        target: String(r.service ?? r.name ?? ""),
        message: String(r.msg ?? ""),
      };
    } catch {
      // not JSON after all: show it as text
    }
  }
  const m = line.match(NAMED);
  if (!m) return { id, time: null, level: 3, target: "", message: line };
  const level = LEVELS.indexOf(m[4]!.toLowerCase() as typeof LEVELS[number]);
  return {
    id,
    time: Date.parse(`${m[1]}T${m[2]}`) || null,
    level: level > 0 ? level : 3,
    target: m[3]!,
    message: m[5]!,
  };
}

/** Read commands by the catalogue's naming rule (get_, is_, list_ … are reads; so is load_profile). */
const READ =
  /^(Command done|invoke): (get_|is_|list_|obs_get_|obs_is_|chat_get_|oauth_get_|oauth_is_|auth_whoami\b|load_profile\b)/;

/** A successful read command's line ("Command done: get_settings (2 ms)"): polling chatter. */
export function isReadChatter(line: LogLine): boolean {
  return line.level >= 3 && READ.test(line.message);
}

/** Loads the recent lines from the server (once per visit of the Logs screen). */
export async function loadRecentLogs(): Promise<void> {
  logsStatus.value = "loading";
  try {
    const lines = await invoke("get_recent_logs", { maxLines: 500 });
    logLines.value = [];
    append(lines.map(parseLogLine));
    logsStatus.value = "ready";
  } catch (error) {
    logsStatus.value = isNotImplemented(error) ? "unavailable" : "ready";
    if (!isNotImplemented(error)) throw error;
  }
}

/** Adds a line of the dashboard's own to the Logs screen (what it chose to ignore, say). */
export function logLocally(level: number, message: string): void {
  append([{ id: nextId++, time: Date.now(), level, target: "dashboard", message }]);
}

/** Follows `log://log` events. */
export function wireLogEvents(): void {
  onEvent("log://log", (record: EventPayload<"log://log">) => {
    append([{ id: nextId++, time: Date.now(), ...record }]);
  });
}
