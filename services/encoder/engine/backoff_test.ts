import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff.ts";

Deno.test("backoffDelay() doubles from 500 ms to a 2 s cap", () => {
  const middle = () => 0.5; // no jitter
  assert.deepEqual([1, 2, 3, 4, 10, 1000].map((n) => backoffDelay(n, {}, middle)), [
    500,
    1000,
    2000,
    2000,
    2000,
    2000,
  ]);
  assert.equal(DEFAULT_BACKOFF.rejectedMs, 30_000);
});

Deno.test("backoffDelay() spreads by ±20 %, so a target is retried within 2.4 s at worst", () => {
  assert.equal(backoffDelay(5, {}, () => 0), 1600);
  assert.equal(backoffDelay(5, {}, () => 1), 2400);
  assert.equal(backoffDelay(1, { baseMs: 100, maxMs: 1000, jitter: 0 }), 100);
  assert.equal(backoffDelay(0, { jitter: 0 }), 500, "attempt 0 counts as the first");
});
