import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { FlowStates } from "./flow_states.ts";

const OWNER = { tenantId: "t1", userId: "u1", profileId: "p1", provider: "twitch" } as const;
const SECRETS = { verifier: "v".repeat(43), redirectUri: "http://127.0.0.1:8008/oauth/callback" };

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  throw new Error("expected a refusal");
}

Deno.test("FlowStates.take: the state names its provider and gives back the verifier once; a replay is refused", () => {
  const flows = new FlowStates();
  const state = flows.add(OWNER, SECRETS);
  assert.match(state, /^twitch\.[A-Za-z0-9_-]{43}$/);
  const flow = flows.take(state, OWNER);
  assert.equal(flow.verifier, SECRETS.verifier);
  assert.equal(flow.profileId, "p1");
  const replay = refusal(() => flows.take(state, OWNER));
  assert.equal(replay.code, "failed_precondition");
  assert.match(replay.message, /"state": no sign-in is waiting for it \(already used/);
});

Deno.test("FlowStates.take: a state never issued is refused, and the real one still works", () => {
  const flows = new FlowStates();
  const state = flows.add(OWNER, SECRETS);
  const wrong = refusal(() => flows.take(`${state.slice(0, -1)}x`, OWNER));
  assert.equal(wrong.code, "failed_precondition");
  assert.equal(flows.take(state, OWNER).verifier, SECRETS.verifier);
});

Deno.test("FlowStates.take: another user, tenant or provider is refused and the state is burnt", () => {
  for (const other of [{ userId: "u2" }, { tenantId: "t2" }, { provider: "youtube" as const }]) {
    const flows = new FlowStates();
    const state = flows.add(OWNER, SECRETS);
    const refused = refusal(() => flows.take(state, { ...OWNER, ...other }));
    assert.equal(refused.code, "permission_denied");
    assert.match(refused.message, /started by another user or for another provider/);
    // The owner cannot use it afterwards either: a leaked state is good for nobody.
    assert.equal(refusal(() => flows.take(state, OWNER)).code, "failed_precondition");
  }
});

Deno.test("FlowStates.take: a state older than 180 s is refused", () => {
  let now = 1_000_000;
  const flows = new FlowStates({ now: () => now });
  const state = flows.add(OWNER, SECRETS);
  const kept = flows.add(OWNER, SECRETS);
  now += 179_999;
  assert.equal(flows.take(kept, OWNER).verifier, SECRETS.verifier);
  now += 1;
  const late = refusal(() => flows.take(state, OWNER));
  assert.match(late.message, /took longer than 180 s/);
});

Deno.test("FlowStates.add: at most `max` sign-ins wait; the oldest goes first", () => {
  const flows = new FlowStates({ max: 2 });
  const oldest = flows.add(OWNER, SECRETS);
  const middle = flows.add(OWNER, SECRETS);
  const newest = flows.add(OWNER, SECRETS);
  assert.equal(refusal(() => flows.take(oldest, OWNER)).code, "failed_precondition");
  flows.take(middle, OWNER);
  flows.take(newest, OWNER);
});
