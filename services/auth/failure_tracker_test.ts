import assert from "node:assert/strict";
import { createFailureTracker } from "./failure_tracker.ts";

Deno.test("createFailureTracker() doubles the wait after the free failures, per client", () => {
  const tracker = createFailureTracker({ free: 2, baseMs: 100, maxMs: 1_000 });
  const waits = Array.from({ length: 7 }, () => tracker.fail("a", 0));
  assert.deepEqual(waits, [0, 0, 100, 200, 400, 800, 1_000]);
  assert.equal(tracker.waitMs("a", 400), 600);
  assert.equal(tracker.waitMs("a", 1_000), 0);
  assert.equal(tracker.waitMs("b", 0), 0, "other clients are not affected");
  tracker.succeed("a");
  assert.equal(tracker.fail("a", 2_000), 0, "a success starts over");
});

Deno.test("createFailureTracker() forgets idle clients and stays bounded", () => {
  const tracker = createFailureTracker({
    free: 0,
    baseMs: 100,
    forgetAfterMs: 1_000,
    maxClients: 3,
  });
  tracker.fail("a", 0);
  tracker.fail("a", 0);
  assert.equal(tracker.fail("a", 5_000), 100, "the count started over after 1 s of quiet");
  for (const client of ["b", "c", "d"]) tracker.fail(client, 5_000);
  assert.equal(tracker.waitMs("a", 5_000), 0, "the oldest client was dropped to stay within 3");
  assert.equal(tracker.waitMs("d", 5_000), 100);
});
