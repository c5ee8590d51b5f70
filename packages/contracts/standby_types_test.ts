import assert from "node:assert/strict";
import { describeZodError } from "./errors.ts";
import { RtmpInput } from "./profile_types.ts";
import { StandbySettings } from "./standby_types.ts";

Deno.test("StandbySettings defaults to off with a 2 s grace and a 10 min maximum", () => {
  assert.deepEqual(StandbySettings.parse({}), {
    mode: "off",
    message: "We'll be right back",
    graceSecs: 2,
    maxStandbySecs: 600,
  });
});

Deno.test("RtmpInput without standby (SpiritStream's own profiles) stays valid", () => {
  const input = RtmpInput.parse({ bindAddress: "0.0.0.0", port: 1935, application: "live" });
  assert.equal(input.standby, undefined);
});

Deno.test("StandbySettings errors name the field and the rule", () => {
  const cases: [unknown, string][] = [
    [{ mode: "image" }, '"input.standby.imagePath": is required when mode is "image"'],
    [{ mode: "card", graceSecs: 0.1 }, '"input.standby.graceSecs": must be at least 0.5 seconds'],
    [{ mode: "card", maxStandbySecs: 5 }, '"input.standby.maxStandbySecs": must be at least 10'],
    [{ mode: "card", message: "x".repeat(201) }, '"input.standby.message": must be at most 200'],
  ];
  for (const [value, expected] of cases) {
    const result = StandbySettings.safeParse(value);
    assert.equal(result.success, false);
    assert.ok(
      describeZodError(result.error!, "input.standby").includes(`Invalid argument ${expected}`),
      describeZodError(result.error!, "input.standby"),
    );
  }
});
