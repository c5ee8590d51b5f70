import { median } from "./summary.ts";

/** A median with the range it came from. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  values: number[];
}

/** Median and min–max of a list of per-window values. */
export function spread(values: number[]): Spread {
  return {
    median: median(values),
    min: values.length ? Math.min(...values) : Number.NaN,
    max: values.length ? Math.max(...values) : Number.NaN,
    values,
  };
}

/** A goal's verdict; "inconclusive" when the windows disagree. */
export type Verdict = "PASS" | "MISS" | "inconclusive";

/**
 * Verdict for "ratio ≤ goal in every window", from the per-window ratios: PASS when every
 * window meets it, MISS when none does, and "inconclusive" when the spread of the windows
 * crosses the goal (the difference claimed is smaller than the noise of this run).
 */
export function ratioVerdict(ratios: number[], goal: number): Verdict {
  const finite = ratios.filter(Number.isFinite);
  if (finite.length === 0) return "inconclusive";
  if (finite.length < ratios.length) return "inconclusive";
  if (finite.every((r) => r <= goal)) return "PASS";
  if (finite.every((r) => r > goal)) return "MISS";
  return "inconclusive";
}

/** `a / b` per window (windows paired by index). */
export function pairedRatios(a: number[], b: number[]): number[] {
  return a.map((v, i) => v / b[i]!);
}
