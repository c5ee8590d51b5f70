import assert from "node:assert/strict";
import { monotonicNow } from "./monotonic_now.ts";

Deno.test("monotonicNow() is close to the wall clock at start and never goes backwards", () => {
  assert.ok(Math.abs(monotonicNow() - Date.now()) < 60_000);
  let last = monotonicNow();
  for (let i = 0; i < 10_000; i++) {
    const now = monotonicNow();
    assert.ok(now >= last);
    last = now;
  }
});
