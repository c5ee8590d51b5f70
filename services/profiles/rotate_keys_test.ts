import assert from "node:assert/strict";
import type { Profile } from "@spiritstream/contracts";
import { startPostgres } from "@spiritstream/testing";
import { createDataKeyStore } from "./data_key_store.ts";
import { createProfileStore } from "./profile_store.ts";
import { type Harness, startHarness } from "./testdata/harness.ts";
import { sampleProfile, secret } from "./testdata/profiles.ts";

const keysOf = (profile: Profile) =>
  profile.outputGroups.flatMap((g) => g.streamTargets.map((t) => t.streamKey));

function newKeys() {
  return {
    twitch: secret("live"),
    youtube: secret("yt"),
    kick: secret("sk"),
    obs: secret("obs"),
    webhook: `https://discord.com/api/webhooks/1/${secret("hook")}`,
  };
}

async function rotationScenario(h: Harness, rootRotates: boolean): Promise<void> {
  const [a, b, c] = [newKeys(), newKeys(), newKeys()];
  const [pwB, pwC] = [secret("pwB"), secret("pwC")];
  await h.call("save_profile", { profile: sampleProfile("Plain", a) });
  await h.call("save_profile", { profile: sampleProfile("Unlocked", b), password: pwB });
  await h.call("save_profile", { profile: sampleProfile("Locked", c), password: pwC });
  await h.restart();
  await h.call("load_profile", { name: "Unlocked", password: pwB });
  const keyFile = `${h.dir}/secrets.key`;
  const rootBefore = rootRotates ? await Deno.readTextFile(keyFile) : "";
  const [oldKey] = await createDataKeyStore(h.db).list("local");

  const report = await h.call("rotate_machine_key", {});
  assert.equal(report.totalProfiles, 3);
  assert.equal(report.profilesUpdated, 2);
  assert.equal(report.keysReencrypted, 10);
  assert.deepEqual(report.skipped.map((s) => s.name), ["Locked"]);
  assert.match(report.skipped[0]!.reason, /locked/);

  const dataKeys = await createDataKeyStore(h.db).list("local");
  const active = dataKeys.find((k) => k.status === "active")!;
  assert.notEqual(active.keyId, oldKey!.keyId);
  assert.deepEqual(
    dataKeys.filter((k) => k.status === "retired").map((k) => k.keyId),
    [oldKey!.keyId],
    "the locked profile still needs the old data key: it is kept, retired",
  );
  const rows = await createProfileStore(h.db).list("local");
  const plainRow = rows.find((row) => row.name === "Plain")!;
  assert.deepEqual(plainRow.keyIds, [active.keyId]);
  assert.ok(!plainRow.body.includes(oldKey!.keyId));
  assert.deepEqual(rows.find((row) => row.name === "Locked")!.keyIds, [oldKey!.keyId]);
  if (rootRotates) {
    const after = JSON.parse(await Deno.readTextFile(keyFile));
    assert.notEqual(after.active, JSON.parse(rootBefore).active, "the machine key was replaced");
    assert.equal(after.keys.length, 1, "the old machine key is gone once the rotation committed");
    assert.equal(dataKeys.every((k) => k.rootKeyId === after.active), true);
    assert.equal((await Deno.stat(keyFile)).mode! & 0o777, 0o600);
  }

  await h.restart();
  assert.deepEqual(keysOf(await h.call("load_profile", { name: "Plain", revealKeys: true })), [
    a.twitch,
    a.youtube,
    a.kick,
  ]);
  const unlocked = await h.call("load_profile", {
    name: "Unlocked",
    password: pwB,
    revealKeys: true,
  });
  assert.equal(unlocked.settings.obs.password, b.obs);
  const locked = await h.call("load_profile", { name: "Locked", password: pwC, revealKeys: true });
  assert.deepEqual(keysOf(locked), [c.twitch, c.youtube, c.kick]);
  assert.equal(locked.settings.discord.webhookUrl, c.webhook);

  // With every profile unlocked nothing is skipped and no retired key remains.
  const second = await h.call("rotate_machine_key", {});
  assert.deepEqual(second.skipped, []);
  assert.equal(second.profilesUpdated, 3);
  const left = await createDataKeyStore(h.db).list("local");
  assert.deepEqual(left.map((k) => k.status), ["active"]);

  // A failure mid-rotation (a damaged row, last in order) rolls everything back, including the
  // rows already re-encrypted before it.
  await h.call("set_profile_order", { orderedNames: ["Unlocked", "Locked", "Plain"] });
  const keysBefore = JSON.stringify(left);
  const fileBefore = rootRotates ? await Deno.readTextFile(keyFile) : "";
  const current = (await createProfileStore(h.db).byName("local", "Plain"))!;
  const corrupt = current.body.replace(/(SS1:dk-[0-9a-f]+:)([A-Za-z0-9+/]{8})/, "$1AAAAAAAA");
  assert.notEqual(corrupt, current.body);
  await h.db.exec("UPDATE profiles SET body = $1 WHERE name = $2", [corrupt, "Plain"]);
  const rowsBefore = JSON.stringify(await createProfileStore(h.db).list("local"));
  const failed = await h.fail("rotate_machine_key", {});
  assert.equal(failed.code, "internal");
  assert.match(failed.message, /does not decrypt/);
  assert.equal(JSON.stringify(await createDataKeyStore(h.db).list("local")), keysBefore);
  assert.equal(JSON.stringify(await createProfileStore(h.db).list("local")), rowsBefore);
  if (rootRotates) assert.equal(await Deno.readTextFile(keyFile), fileBefore, "staged key dropped");
  await h.restart();
  const stillThere = await h.call("load_profile", {
    name: "Locked",
    password: pwC,
    revealKeys: true,
  });
  assert.deepEqual(keysOf(stillThere), [c.twitch, c.youtube, c.kick]);

  const text = h.logs.join("\n");
  for (const value of [...Object.values(a), ...Object.values(b), ...Object.values(c), pwB, pwC]) {
    assert.ok(!text.includes(value), "a secret reached the logs");
  }
}

Deno.test("rotate_machine_key re-encrypts every secret and replaces the machine key file (SQLite)", async () => {
  const h = await startHarness("sqlite");
  try {
    await rotationScenario(h, true);
  } finally {
    await h.close();
  }
});

Deno.test("rotate_machine_key re-encrypts every secret under SPIRITSTREAM_SECRET_KEY (PostgreSQL)", async () => {
  const pg = await startPostgres();
  try {
    const h = await startHarness("postgres", {
      postgres: pg,
      keySource: { kind: "secret", value: "a".repeat(64) },
    });
    try {
      await rotationScenario(h, false);
    } finally {
      await h.close();
    }
  } finally {
    await pg.stop();
  }
});
