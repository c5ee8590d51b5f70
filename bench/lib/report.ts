/** One goal checked against a measured number (PASS/MISS, or PENDING when not measured). */
export interface Goal {
  goal: string;
  measured: string;
  target: string;
  /**
   * null: not measured in this run (the row says why); "inconclusive": the run's spread is
   * larger than the difference the goal claims.
   */
  pass: boolean | null | "inconclusive";
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
  /** The relay CPU benchmark's own windows (it needs more and longer ones than the rest). */
  relay: RelayBenchOptions;
  /** The capacity benchmark's steps (`--scale-steps`, `--scale-seconds`). */
  scale: ScaleBenchOptions;
  log(message: string): void;
}

/** Windows of the relay CPU benchmark (`--relay-windows`, `--relay-seconds`, `--relay-targets`). */
export interface RelayBenchOptions {
  /** Interleaved windows per target count (each measures every relay once). @default 5 */
  windows: number;
  /** @default 30000 */
  windowMs: number;
  /** @default [1, 3] */
  targets: number[];
}

/** Steps of the capacity benchmark. */
export interface ScaleBenchOptions {
  /** Stream counts N, rising. @default [1, 10, 20, 40, 60, 80, 100, 130, 160, 200] */
  steps: number[];
  /** Measured window per relay and step. @default 15000 */
  windowMs: number;
  /** No new step starts when it would likely end past this (ms since the section began). */
  budgetMs: number;
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

/** PASS / MISS / PENDING / inconclusive for a goal. */
export function verdict(pass: Goal["pass"]): string {
  if (pass === "inconclusive") return "inconclusive";
  return pass === null ? "PENDING" : pass ? "PASS" : "MISS";
}

/** A shell-quoted command line (for the exact commands in BENCHMARKS.md). */
export function shellLine(argv: string[]): string {
  return argv.map((a) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
}
