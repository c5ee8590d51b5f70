import { createLogger, type Logger } from "@spiritstream/kit";

/** A real pino logger whose JSON lines are kept in memory, so tests can assert on them. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line) => void lines.push(line) },
  });
  return { logger, lines };
}
