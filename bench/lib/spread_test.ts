import assert from "node:assert/strict";
import { pairedRatios, ratioVerdict, spread } from "./spread.ts";

Deno.test("ratioVerdict: PASS only when every window meets the goal", () => {
  assert.equal(ratioVerdict([0.6, 0.7, 0.79, 0.8, 0.75], 0.8), "PASS");
});

Deno.test("ratioVerdict: MISS only when no window meets the goal", () => {
  assert.equal(ratioVerdict([0.9, 1.2, 0.81], 0.8), "MISS");
});

Deno.test("ratioVerdict: a spread that crosses the goal is inconclusive, whatever the median", () => {
  // Median 0.7 would "pass", but one window in five says otherwise.
  assert.equal(ratioVerdict([0.6, 0.7, 0.7, 0.72, 0.95], 0.8), "inconclusive");
  assert.equal(ratioVerdict([0.79, 1.1, 1.2], 0.8), "inconclusive");
});

Deno.test("ratioVerdict: a window without a number is inconclusive", () => {
  assert.equal(ratioVerdict([0.5, Number.NaN], 0.8), "inconclusive");
  assert.equal(ratioVerdict([], 0.8), "inconclusive");
});

Deno.test("spread and pairedRatios: median, range, per-window ratios", () => {
  assert.deepEqual(spread([3, 1, 2]), { median: 2, min: 1, max: 3, values: [3, 1, 2] });
  assert.deepEqual(pairedRatios([1, 3], [2, 3]), [0.5, 1]);
});
