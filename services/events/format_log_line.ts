const LEVELS = ["ERROR", "WARN", "INFO", "DEBUG", "TRACE"];

/** What a log line is made of. */
export interface LogLineParts {
  /** Epoch milliseconds. */
  time: number;
  /** 1 = error … 5 = trace. */
  level: number;
  target: string;
  message: string;
}

/**
 * Formats one record as SpiritStream's log file did (§6.2), in local time:
 * `[YYYY-MM-DD][HH:MM:SS][<target>][<LEVEL>] <message>`.
 */
export function formatLogLine(parts: LogLineParts): string {
  const d = new Date(parts.time);
  const date = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const clock = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const level = LEVELS[Math.min(Math.max(Math.trunc(parts.level), 1), 5) - 1];
  return `[${date}][${clock}][${parts.target}][${level}] ${parts.message}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
