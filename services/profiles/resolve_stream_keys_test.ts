import assert from "node:assert/strict";
import { INTERNAL } from "@spiritstream/contracts";
import { sampleProfile, secret } from "./testdata/profiles.ts";
import { startHarness } from "./testdata/harness.ts";

const { subject } = INTERNAL.resolveStreamKeys;

Deno.test("resolve_stream_keys gives the encoder stored keys by target id, per tenant, unlocked only", async () => {
  const h = await startHarness("sqlite");
  try {
    const keys = { twitch: secret("tw"), youtube: secret("yt"), kick: secret("kick") };
    const open = sampleProfile("Open Show", keys, "open");
    await h.call("save_profile", { profile: open });
    const lockedKeys = { twitch: secret("tw2"), youtube: secret("yt2"), kick: secret("kick2") };
    await h.call("save_profile", {
      profile: sampleProfile("Locked Show", lockedKeys, "locked"),
      password: "correct horse",
    });
    await h.restart(); // every protected profile is locked again

    const ids = ["open-twitch", "open-kick", "locked-twitch", "nope"];
    const answer = await h.bus.request(subject, { tenantId: "local", targetIds: ids }) as {
      keys: Record<string, string>;
    };
    assert.deepEqual(answer.keys, { "open-twitch": keys.twitch, "open-kick": keys.kick });

    await h.call("load_profile", { name: "Locked Show", password: "correct horse" });
    const unlocked = await h.bus.request(subject, {
      tenantId: "local",
      targetIds: ["locked-twitch"],
    }) as {
      keys: Record<string, string>;
      protectedTargets: string[];
    };
    assert.deepEqual(unlocked.keys, { "locked-twitch": lockedKeys.twitch });
    assert.deepEqual(unlocked.protectedTargets, ["locked-twitch"], "named as protected");
    const mixed = await h.bus.request(subject, {
      tenantId: "local",
      targetIds: ["open-twitch", "locked-twitch"],
    }) as { protectedTargets: string[] };
    assert.deepEqual(mixed.protectedTargets, ["locked-twitch"]);

    const other = await h.bus.request(subject, { tenantId: "other", targetIds: ids }) as {
      keys: Record<string, string>;
    };
    assert.deepEqual(other.keys, {}, "another tenant sees none of them");
    await assert.rejects(h.bus.request(subject, { tenantId: "", targetIds: [] }), /tenantId/);
    for (const secretValue of [...Object.values(keys), ...Object.values(lockedKeys)]) {
      assert.ok(!h.logs.join("\n").includes(secretValue), "no key reaches the logs");
    }
  } finally {
    await h.close();
  }
});
