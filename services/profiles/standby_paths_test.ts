import assert from "node:assert/strict";
import { startHarness } from "./testdata/harness.ts";
import { sampleProfile, secret } from "./testdata/profiles.ts";

Deno.test("save_profile refuses a standby slate image outside the data and home folders, naming the field", async () => {
  const h = await startHarness("sqlite");
  try {
    const profile = sampleProfile("Slate", { twitch: secret("live"), youtube: "", kick: "" });
    const withImage = (imagePath: string) => ({
      ...profile,
      input: { ...profile.input, standby: { mode: "image" as const, imagePath } },
    });
    const error = await h.fail("save_profile", { profile: withImage("/etc/passwd") });
    assert.equal(error.code, "invalid_argument");
    assert.equal(
      error.message,
      'Invalid argument "profile.input.standby.imagePath": must be inside the data folder or the home folder',
    );
    const missing = await h.fail("save_profile", {
      profile: { ...profile, input: { ...profile.input, standby: { mode: "image" as const } } },
    });
    assert.match(missing.message, /"profile\.input\.standby\.imagePath": is required/);
    assert.deepEqual(await h.call("get_all_profiles", {}), [], "nothing was stored");

    await Deno.writeFile(`${h.dir}/slate.png`, new Uint8Array([0]));
    await h.call("save_profile", { profile: withImage(`${h.dir}/slate.png`) });
    const loaded = await h.call("load_profile", { name: "Slate" });
    assert.equal(loaded.input.standby?.imagePath, `${h.dir}/slate.png`);
    assert.equal(loaded.input.standby?.graceSecs, 2, "defaults filled in");
  } finally {
    await h.close();
  }
});
