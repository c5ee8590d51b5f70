import assert from "node:assert/strict";
import type { GroupLive, TargetLive } from "./stream.ts";
import { sumTotals } from "./totals.ts";

function target(targetId: string, state: TargetLive["state"], bitrate: number | null): TargetLive {
  return {
    targetId,
    name: "",
    state,
    attempt: 0,
    nextRetryAt: null,
    lastError: null,
    lastCause: null,
    bitrate,
  };
}

function group(groupId: string, targets: TargetLive[], bitrate: number): GroupLive {
  return {
    groupId,
    state: "live",
    startedAt: 1000,
    targets: Object.fromEntries(targets.map((t) => [t.targetId, t])),
    stats: {
      groupId,
      frame: 0,
      fps: 30,
      bitrate,
      speed: 1,
      size: 0,
      time: 0,
      droppedFrames: 2,
      dupFrames: 0,
    },
  };
}

Deno.test("sumTotals() counts no outgoing bitrate while 0 of 2 targets are live", () => {
  // The group's meter reads 920 kbps arriving; both targets are still connecting.
  const t = sumTotals([
    group("g", [target("a", "connecting", null), target("b", "reconnecting", 0)], 920),
  ]);
  assert.equal(t.bitrate, 0);
  assert.equal(`${t.live}/${t.targets}`, "0/2");
  assert.equal(t.failing, 1);
});

Deno.test("sumTotals() adds what each live target sends, across groups", () => {
  const t = sumTotals([
    group("g", [target("a", "live", 2500), target("b", "reconnecting", 2400)], 2500),
    group("v", [target("c", "live", 6000)], 6000),
  ]);
  assert.equal(t.bitrate, 8500);
  assert.equal(`${t.live}/${t.targets}`, "2/3");
  assert.equal(t.dropped, 4);
  assert.equal(t.startedAt, 1000);
});
