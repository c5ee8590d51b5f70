/** One goal checked against a measured number (PASS/MISS, or PENDING when not measured). */
export interface Goal {
  goal: string;
  measured: string;
  target: string;
  /** null: not measured in this run (the row says why). */
  pass: boolean | null;
}

/** One benchmark's part of BENCHMARKS.md. */
export interface Section {
  title: string;
  /** Definition, commands and the results table, in Markdown. */
  markdown: string;
  goals: Goal[];
  /** Raw numbers for the JSON summary printed at the end. */
  raw?: unknown;
}

/** How long and how often to measure; `--quick` shrinks everything for a smoke run. */
export interface BenchContext {
  clip: string;
  /** CPU window after warm-up. @default 20 s */
  windowMs: number;
  warmupMs: number;
  /** CPU windows per configuration. */
  windows: number;
  /** Repetitions of latency measurements. */
  runs: number;
  quick: boolean;
  log(message: string): void;
}

/** A Markdown table. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** A fenced code block. */
export function code(text: string, lang = "sh"): string {
  return `\`\`\`${lang}\n${text}\n\`\`\``;
}

/** PASS / MISS / PENDING for a goal. */
export function verdict(pass: boolean | null): string {
  return pass === null ? "PENDING" : pass ? "PASS" : "MISS";
}

/** A shell-quoted command line (for the exact commands in BENCHMARKS.md). */
export function shellLine(argv: string[]): string {
  return argv.map((a) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
}
