import assert from "node:assert/strict";
import { createProfileStore } from "./profile_store.ts";
import { startHarness } from "./testdata/harness.ts";
import { sampleProfile } from "./testdata/profiles.ts";

Deno.test("ensure_order_indexes gives unordered profiles the next steps of 10", async () => {
  const h = await startHarness("sqlite");
  try {
    const keys = { twitch: "a", youtube: "b", kick: "c" };
    for (const name of ["One", "Two", "Three"]) {
      await h.call("save_profile", { profile: sampleProfile(name, keys) });
    }
    const store = createProfileStore(h.db);
    const rows = await store.list("local");
    await store.setOrderIndex("local", rows[0]!.id, null);
    await store.setOrderIndex("local", rows[1]!.id, 15);
    assert.deepEqual(await h.call("get_order_index_map", {}), { Two: 15, Three: 30 });
    assert.deepEqual(await h.call("ensure_order_indexes", {}), { Two: 15, Three: 30, One: 40 });
    assert.deepEqual(await h.call("get_all_profiles", {}), ["Two", "Three", "One"]);
    const twice = await h.fail("set_profile_order", { orderedNames: ["One", "One"] });
    assert.match(twice.message, /"orderedNames\.1": "One" is listed twice/);
    await h.call("set_profile_order", { orderedNames: ["One"] });
    assert.deepEqual(await h.call("get_order_index_map", {}), { One: 10, Two: 15, Three: 30 });
  } finally {
    await h.close();
  }
});
