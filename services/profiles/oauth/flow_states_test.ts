import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { openRootKeys } from "@spiritstream/kit";
import { openMigratedSqlite } from "@spiritstream/testing";
import { createDataKeyring } from "../crypto/data_keys.ts";
import { PROFILES_MIGRATIONS } from "../migrations.ts";
import { FlowStates, type FlowStatesOptions } from "./flow_states.ts";

const OWNER = { tenantId: "t1", userId: "u1", profileId: "p1", provider: "twitch" } as const;
const SECRETS = { verifier: "v".repeat(43), redirectUri: "http://127.0.0.1:8008/oauth/callback" };

/** Flow states on a fresh SQLite store; `run` gets them and the raw table reader. */
async function withFlows(
  options: Partial<FlowStatesOptions>,
  run: (flows: FlowStates, rows: () => Promise<string>) => Promise<void>,
): Promise<void> {
  const { db, cleanup } = await openMigratedSqlite("profiles", PROFILES_MIGRATIONS);
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-flows-" });
  try {
    const keys = createDataKeyring(await openRootKeys({ kind: "machine_file", path: `${dir}/k` }));
    const rows = async () => JSON.stringify(await db.query("SELECT * FROM oauth_flows"));
    await run(new FlowStates({ db, keys, ...options }), rows);
  } finally {
    await cleanup();
    await Deno.remove(dir, { recursive: true });
  }
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError);
    return error;
  }
  throw new Error("expected a refusal");
}

Deno.test("FlowStates.take: the state names its provider and gives back the verifier once; a replay is refused", async () => {
  await withFlows({}, async (flows, rows) => {
    const state = await flows.add(OWNER, SECRETS);
    assert.match(state, /^twitch\.[A-Za-z0-9_-]{43}$/);
    // At rest: neither the state nor the verifier in clear.
    const stored = await rows();
    assert.equal(stored.includes(state), false);
    assert.equal(stored.includes(SECRETS.verifier), false);
    const flow = await flows.take(state, OWNER);
    assert.equal(flow.verifier, SECRETS.verifier);
    assert.equal(flow.profileId, "p1");
    const replay = await refusal(flows.take(state, OWNER));
    assert.equal(replay.code, "failed_precondition");
    assert.match(replay.message, /"state": no sign-in is waiting for it \(already used/);
  });
});

Deno.test("FlowStates.take: two concurrent takes of one state: exactly one gets it", async () => {
  await withFlows({}, async (flows) => {
    const state = await flows.add(OWNER, SECRETS);
    const results = await Promise.allSettled([flows.take(state, OWNER), flows.take(state, OWNER)]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  });
});

Deno.test("FlowStates.take: a state never issued is refused, and the real one still works", async () => {
  await withFlows({}, async (flows) => {
    const state = await flows.add(OWNER, SECRETS);
    const wrong = await refusal(flows.take(`${state.slice(0, -1)}x`, OWNER));
    assert.equal(wrong.code, "failed_precondition");
    assert.equal((await flows.take(state, OWNER)).verifier, SECRETS.verifier);
  });
});

Deno.test("FlowStates.take: another user, tenant or provider is refused and the state is burnt", async () => {
  for (
    const other of [
      { userId: "u2" },
      { userId: null },
      { tenantId: "t2" },
      { provider: "youtube" as const },
    ]
  ) {
    await withFlows({}, async (flows) => {
      const state = await flows.add(OWNER, SECRETS);
      const refused = await refusal(flows.take(state, { ...OWNER, ...other }));
      assert.equal(refused.code, "permission_denied", JSON.stringify(other));
      assert.match(refused.message, /started by another user or for another provider/);
      // The owner cannot use it afterwards either: a leaked state is good for nobody.
      assert.equal((await refusal(flows.take(state, OWNER))).code, "failed_precondition");
    });
  }
});

Deno.test("FlowStates.take: a state older than 180 s is refused", async () => {
  let now = 1_000_000;
  await withFlows({ now: () => now }, async (flows) => {
    const state = await flows.add(OWNER, SECRETS);
    const kept = await flows.add(OWNER, SECRETS);
    now += 179_999;
    assert.equal((await flows.take(kept, OWNER)).verifier, SECRETS.verifier);
    now += 1;
    const late = await refusal(flows.take(state, OWNER));
    assert.match(late.message, /took longer than 180 s/);
  });
});

Deno.test("FlowStates.add: at most `max` sign-ins of a tenant wait; the oldest goes first", async () => {
  let now = 1_000_000;
  await withFlows({ max: 2, now: () => now++ }, async (flows) => {
    const oldest = await flows.add(OWNER, SECRETS);
    const middle = await flows.add(OWNER, SECRETS);
    const other = await flows.add({ ...OWNER, tenantId: "t2" }, SECRETS);
    const newest = await flows.add(OWNER, SECRETS);
    assert.equal((await refusal(flows.take(oldest, OWNER))).code, "failed_precondition");
    await flows.take(middle, OWNER);
    await flows.take(newest, OWNER);
    await flows.take(other, { ...OWNER, tenantId: "t2" });
  });
});
