import assert from "node:assert/strict";
import { copyGroup } from "@spiritstream/testing";
import { withRecordingRule } from "./recording_rule.ts";

const recorded = (allowEncrypted: boolean) => ({
  ...copyGroup("g", []),
  recording: { enabled: true, splitMinutes: 60, splitMegabytes: 0, allowEncrypted },
});

Deno.test("withRecordingRule: a password-protected profile's group is recorded only with allowEncrypted", () => {
  assert.equal(withRecordingRule([recorded(false)], true)[0]!.recording!.enabled, false);
  assert.equal(withRecordingRule([recorded(true)], true)[0]!.recording!.enabled, true);
  assert.equal(withRecordingRule([recorded(false)], false)[0]!.recording!.enabled, true);
  assert.equal(withRecordingRule([recorded(false)], null)[0]!.recording!.enabled, true);
});
