import assert from "node:assert/strict";
import { ThroughputWatch } from "./throughput_watch.ts";

Deno.test("ThroughputWatch reports a destination dropping for 10 s with its throughput, then its recovery", () => {
  const watch = new ThroughputWatch({ sustainMs: 10_000, clearMs: 5000 });
  const changes: unknown[] = [];
  let dropped = 0;
  // 4.8 Mbit/s offered, 1 Mbit/s taken, dropping every second for 15 s; then it keeps up.
  for (let s = 0; s <= 30; s++) {
    if (s > 0 && s <= 15) dropped += 30;
    const written = s <= 15 ? s * 125_000 : 15 * 125_000 + (s - 15) * 600_000;
    const change = watch.sample({ at: s * 1000, offered: s * 600_000, written, dropped });
    if (change !== undefined) changes.push({ s, change });
  }
  assert.deepEqual(changes, [
    { s: 10, change: { throughputKbps: 1000, inputKbps: 4800, forMs: 10_000 } },
    { s: 20, change: null },
  ]);
});

Deno.test("ThroughputWatch says nothing of a destination that drops once in a while", () => {
  const watch = new ThroughputWatch();
  let dropped = 0;
  for (let s = 0; s <= 60; s++) {
    if (s % 8 === 0) dropped++;
    assert.equal(watch.sample({ at: s * 1000, offered: s, written: s, dropped }), undefined);
  }
});
