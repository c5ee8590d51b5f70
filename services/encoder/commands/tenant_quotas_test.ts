import assert from "node:assert/strict";
import { AppError, NO_QUOTAS } from "@spiritstream/contracts";
import { copyGroup, x264Group } from "@spiritstream/testing";
import type { DesiredState } from "../coordinator/desired_state.ts";
import { admit, usageOfGroups } from "./tenant_quotas.ts";

const target = (id: string) => ({
  id,
  service: "Custom",
  name: id,
  url: "rtmp://x/live",
  streamKey: "k",
});
const video = { width: 1280, height: 720, fps: 30, bitrate: "2500k", preset: "veryfast" };

function desired(groups: ReturnType<typeof copyGroup>[]): DesiredState {
  return {
    tenantId: "t",
    generation: 1,
    ingest: null,
    groups: Object.fromEntries(groups.map((group) => [group.id, { group, generation: 1 }])),
    retries: {},
  };
}

Deno.test("usageOfGroups counts groups, targets, re-encode groups and declared kbps per target", () => {
  const groups = [
    copyGroup("copy", [target("a"), target("b")]),
    x264Group("hd", [target("c"), target("d")], video),
    x264Group("sd", [target("e")], { ...video, bitrate: "1.5M" }),
  ];
  // hd: (2500 + 128) × 2 targets; sd: (1500 + 128) × 1; passthrough is not counted.
  assert.deepEqual(usageOfGroups(groups), {
    liveGroups: 3,
    targets: 5,
    reencodeGroups: 2,
    outputBitrateKbps: 2628 * 2 + 1628,
  });
});

Deno.test("admit refuses a state beyond a quota with a 400 naming it, and any start of a suspended tenant", () => {
  const next = desired([x264Group("hd", [target("c"), target("d")], video)]);
  admit({ quotas: NO_QUOTAS, suspended: false }, next);
  admit({ quotas: { ...NO_QUOTAS, targets: 2, outputBitrateKbps: 5256 }, suspended: false }, next);
  for (
    const [quotas, name] of [
      [{ ...NO_QUOTAS, targets: 1 }, "targets"],
      [{ ...NO_QUOTAS, reencodeGroups: 0 }, "reencodeGroups"],
      [{ ...NO_QUOTAS, outputBitrateKbps: 5000 }, "outputBitrateKbps"],
    ] as const
  ) {
    assert.throws(() => admit({ quotas, suspended: false }, next), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "invalid_argument");
      assert.match(error.message, new RegExp(`^Quota exceeded: "${name}" allows`));
      return true;
    });
  }
  assert.throws(
    () => admit({ quotas: NO_QUOTAS, suspended: true }, next),
    /this tenant is suspended/,
  );
});
