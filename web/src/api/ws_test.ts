import assert from "node:assert/strict";
import { handledBefore } from "./ws.ts";

Deno.test("handledBefore() lets a held-back stats frame through with the previous frame's id", () => {
  // Live: ingest_stats went out as 102; the gateway then sent a parked target_stats as 102 too.
  assert.equal(handledBefore({ event: "target_stats", id: 102 }, 102), false);
  assert.equal(handledBefore({ event: "stream_stats", id: 102 }, 102), false);
  assert.equal(handledBefore({ event: "target_stats", id: 103 }, 102), false);
});

Deno.test("handledBefore() drops replayed events: older ids, and a durable one at the same id", () => {
  assert.equal(handledBefore({ event: "target_stats", id: 101 }, 102), true);
  assert.equal(handledBefore({ event: "target_status", id: 102 }, 102), true);
  assert.equal(handledBefore({ event: "ingest_stats", id: 102 }, 102), true);
  assert.equal(handledBefore({ event: "snapshot", id: 50 }, 102), false);
  assert.equal(handledBefore({ event: "target_status", id: 5 }, null), false);
});
