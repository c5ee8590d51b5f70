import assert from "node:assert/strict";
import { subjectMatches } from "./subject_matches.ts";

Deno.test("subjectMatches() matches literal subjects token by token", () => {
  assert.equal(subjectMatches("ss.cmd.profiles.list", "ss.cmd.profiles.list"), true);
  assert.equal(subjectMatches("ss.cmd.profiles.list", "ss.cmd.profiles.lis"), false);
  assert.equal(subjectMatches("ss.cmd.profiles", "ss.cmd.profiles.list"), false);
  assert.equal(subjectMatches("ss.cmd.profiles.list", "ss.cmd.profiles"), false);
});

Deno.test("subjectMatches() lets * stand for exactly one token", () => {
  assert.equal(subjectMatches("ss.cmd.*.list", "ss.cmd.profiles.list"), true);
  assert.equal(subjectMatches("ss.cmd.profiles.*", "ss.cmd.profiles.list"), true);
  assert.equal(subjectMatches("ss.cmd.profiles.*", "ss.cmd.profiles.list.more"), false);
  assert.equal(subjectMatches("ss.cmd.profiles.*", "ss.cmd.profiles"), false);
});

Deno.test("subjectMatches() lets a final > stand for one or more tokens", () => {
  assert.equal(subjectMatches("ss.evt.>", "ss.evt.local.log_log"), true);
  assert.equal(subjectMatches("ss.evt.>", "ss.evt.local"), true);
  assert.equal(subjectMatches("ss.evt.>", "ss.evt"), false);
  assert.equal(subjectMatches(">", "anything.at.all"), true);
  assert.equal(subjectMatches("ss.>.x", "ss.a.x"), false);
});
