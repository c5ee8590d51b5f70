import assert from "node:assert/strict";
import { INTERNAL, SavableProfile } from "@spiritstream/contracts";
import { startHarness } from "./testdata/harness.ts";
import { plantProfile } from "./testdata/plant_profile.ts";
import { sampleProfile, secret } from "./testdata/profiles.ts";
import { writeSpiritStreamFolder } from "./testdata/spiritstream_fixture.ts";

const YOUTUBE_KEY_FIELD = "profile.outputGroups.0.streamTargets.1.streamKey";

function withYoutubeKey(name: string, youtube: string) {
  return sampleProfile(name, { twitch: secret("live"), youtube, kick: secret("sk") });
}

Deno.test("save_profile refuses ${NAME} keys naming the host's secrets or any unlisted variable", async () => {
  const h = await startHarness("sqlite");
  try {
    for (const reference of ["${SPIRITSTREAM_ADMIN_PASSWORD}", "${HOME}", "${SPIRITSTREAM_KEY_}"]) {
      const error = await h.fail("save_profile", { profile: withYoutubeKey("Leak", reference) });
      assert.equal(error.code, "invalid_argument");
      assert.ok(
        error.message.startsWith(`Invalid argument "${YOUTUBE_KEY_FIELD}": ${reference} is not`),
        error.message,
      );
      assert.match(error.message, /may only name a SPIRITSTREAM_KEY_\* variable/);
    }
    assert.deepEqual(await h.call("get_all_profiles", {}), [], "nothing was stored");

    await h.call("save_profile", {
      profile: withYoutubeKey("Env", "${SPIRITSTREAM_KEY_YOUTUBE}"),
    });
    const loaded = await h.call("load_profile", { name: "Env" });
    assert.equal(
      loaded.outputGroups[0]!.streamTargets[1]!.streamKey,
      "${SPIRITSTREAM_KEY_YOUTUBE}",
    );
  } finally {
    await h.close();
  }
});

Deno.test("save_profile accepts a name listed in SPIRITSTREAM_KEY_ENV_ALLOW, never a SPIRITSTREAM_* one", async () => {
  const h = await startHarness("sqlite", {
    keyEnvAllow: ["YOUTUBE_KEY", "SPIRITSTREAM_ADMIN_PASSWORD"],
  });
  try {
    await h.call("save_profile", { profile: withYoutubeKey("Listed", "${YOUTUBE_KEY}") });
    assert.deepEqual(await h.call("get_all_profiles", {}), ["Listed"]);
    const listedSecret = await h.fail("save_profile", {
      profile: withYoutubeKey("Leak", "${SPIRITSTREAM_ADMIN_PASSWORD}"),
    });
    assert.match(listedSecret.message, new RegExp(`"${YOUTUBE_KEY_FIELD}".*is not allowed`));
  } finally {
    await h.close();
  }
});

Deno.test("import_spiritstream_data skips a profile whose ${NAME} key is not allowed, naming the field", async () => {
  const h = await startHarness("sqlite");
  try {
    const source = `${h.dir}/spiritstream-data`;
    const fixture = (name: string, youtube: string) => ({
      profile: SavableProfile.parse(withYoutubeKey(name, youtube)),
      encryptStreamKeys: false,
    });
    await writeSpiritStreamFolder(source, {
      settings: {},
      profiles: [
        fixture("Leak", "${SPIRITSTREAM_ADMIN_PASSWORD}"),
        fixture("Home", "${HOME}"),
        fixture("Fine", "${SPIRITSTREAM_KEY_YOUTUBE}"),
      ],
      order: {},
    });
    const report = await h.call("import_spiritstream_data", { path: source });
    assert.deepEqual(report.profilesImported, ["Fine"]);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.name, s.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), ["Home", "Leak"]);
    for (const reason of Object.values(reasons)) {
      assert.match(
        reason,
        new RegExp(`^Invalid argument "${YOUTUBE_KEY_FIELD}": .* is not allowed`),
      );
    }
    assert.deepEqual(await h.call("get_all_profiles", {}), ["Fine"]);
  } finally {
    await h.close();
  }
});

Deno.test("a forbidden ${NAME} key stored by an older version is handed out as text, never expanded, and not saved again", async () => {
  const h = await startHarness("sqlite");
  try {
    const old = withYoutubeKey("Old", "${SPIRITSTREAM_ADMIN_PASSWORD}");
    await plantProfile(h, old);
    const loaded = await h.call("load_profile", { name: "Old" });
    const target = loaded.outputGroups[0]!.streamTargets[1]!;
    assert.equal(target.streamKey, "${SPIRITSTREAM_ADMIN_PASSWORD}");
    // What the encoder gets for the target is the reference, which it refuses to expand.
    const answer = await h.bus.request(INTERNAL.resolveStreamKeys.subject, {
      tenantId: "local",
      targetIds: [target.id],
    }) as { keys: Record<string, string> };
    assert.deepEqual(answer.keys, { [target.id]: "${SPIRITSTREAM_ADMIN_PASSWORD}" });
    const again = await h.fail("save_profile", { profile: loaded });
    assert.match(again.message, new RegExp(`"${YOUTUBE_KEY_FIELD}": .* is not allowed`));
  } finally {
    await h.close();
  }
});
