import assert from "node:assert/strict";
import { MASKED_SECRET, type Profile, SavableProfile } from "@spiritstream/contracts";
import { withOAuthTokensMasked } from "../oauth/mask_tokens.ts";
import { rawStore } from "../service_contract.ts";
import { startHarness } from "../testdata/harness.ts";
import { sampleProfile, secret } from "../testdata/profiles.ts";
import { type FixtureProfile, writeSpiritStreamFolder } from "../testdata/spiritstream_fixture.ts";

/** A SpiritStream-shaped profile with every kind of secret filled in. */
function fixtureProfile(name: string) {
  const keys = {
    twitch: secret("live"),
    youtube: secret("yt"),
    kick: secret("sk"),
    obs: secret("obs"),
  };
  const base = sampleProfile(name, {
    ...keys,
    webhook: `https://discord.com/api/webhooks/9/${secret("w")}`,
  });
  base.settings = {
    ...base.settings,
    backend: { token: secret("backend") },
    chat: { youtubeApiKey: secret("ytapi"), twitchChannel: "chan" },
    oauth: { twitch: { accessToken: secret("at"), refreshToken: secret("rt"), username: "me" } },
  };
  // SpiritStream's JSON carries every field; parse fills the defaults the way its serde did.
  return SavableProfile.parse(base) as Profile & Record<string, unknown>;
}

function secretsOf(profile: Profile): string[] {
  const s = profile.settings;
  return [
    ...profile.outputGroups.flatMap((g) => g.streamTargets.map((t) => t.streamKey)),
    s.obs.password,
    s.discord.webhookUrl,
    s.backend.token,
    s.chat.youtubeApiKey,
    s.oauth.twitch.accessToken,
    s.oauth.twitch.refreshToken,
  ].filter((value) => value !== "");
}

Deno.test("import_spiritstream_data reproduces plain, ENC:: and .mgs profiles with every secret", async () => {
  const h = await startHarness("sqlite");
  try {
    const plain = fixtureProfile("Plain Keys");
    plain.outputGroups[0]!.streamTargets[1]!.streamKey = "${SPIRITSTREAM_KEY_YOUTUBE}";
    plain.input.bindAddress = "0.0.0.0"; // SpiritStream's default, and it has no ingest key
    const encrypted = fixtureProfile("Enc Keys");
    const show = fixtureProfile("Secret Show");
    const noPassword = fixtureProfile("No Password");
    const wrong = fixtureProfile("Wrong Password");
    const [showPassword, wrongPassword] = [secret("pw"), secret("pw")];
    const profiles: FixtureProfile[] = [
      { profile: plain, encryptStreamKeys: false },
      { profile: encrypted, encryptStreamKeys: true },
      { profile: show, encryptStreamKeys: true, password: showPassword },
      { profile: noPassword, encryptStreamKeys: true, password: secret("pw") },
      { profile: wrong, encryptStreamKeys: false, password: wrongPassword },
    ];
    const source = `${h.dir}/spiritstream-data`;
    await writeSpiritStreamFolder(source, {
      settings: {
        startMinimized: true,
        ffmpegPath: "/opt/ffmpeg",
        autoDownloadFfmpeg: false,
        logRetentionDays: 12,
        lastProfile: "Enc Keys",
        obsPassword: "ENC::bGVnYWN5IGtleSBpZ25vcmVk", // legacy key: dropped, never an error
      },
      profiles,
      order: { "Secret Show": 10, "Enc Keys": 20, "Plain Keys": 30 },
    });
    const stored = await Deno.readTextFile(`${source}/profiles/Enc Keys.json`);
    assert.match(stored, /"streamKey": "ENC::/, "the fixture holds ENC:: values");
    assert.ok(!stored.includes(encrypted.settings.obs.password));

    const report = await h.call("import_spiritstream_data", {
      path: source,
      passwords: { "Secret Show": showPassword, "Wrong Password": "not-the-password" },
    });
    assert.deepEqual(report.profilesImported, ["Secret Show", "Enc Keys", "Plain Keys"]);
    assert.equal(report.settingsImported, true);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.name, s.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), ["No Password", "Wrong Password"]);
    assert.match(reasons["No Password"]!, /password/);
    assert.match(reasons["Wrong Password"]!, /decrypt/);

    assert.deepEqual(await h.call("get_all_profiles", {}), [
      "Secret Show",
      "Enc Keys",
      "Plain Keys",
    ]);
    for (const original of [plain, encrypted]) {
      const loaded = await h.call("load_profile", { name: original.name, revealKeys: true });
      // Sign-in tokens stay masked even on a reveal (a mask means one is stored).
      assert.deepEqual(loaded, withOAuthTokensMasked({ ...original, encrypted: false }));
      assert.equal(loaded.settings.oauth.twitch.refreshToken, MASKED_SECRET);
    }
    // Imported as it was (the encoder will not open it), but saved only with a key or loopback.
    const edited = await h.call("load_profile", { name: "Plain Keys" });
    const refused = await h.fail("save_profile", { profile: edited });
    assert.match(refused.message, /"profile\.input\.streamKey": an ingest key is required/);
    await h.call("save_profile", {
      profile: { ...edited, input: { ...edited.input, streamKey: secret("ingest") } },
    });
    assert.equal(await h.call("is_profile_encrypted", { name: "Secret Show" }), true);
    const locked = await h.fail("load_profile", { name: "Secret Show" });
    assert.match(locked.message, /Password required/);
    const opened = await h.call("load_profile", {
      name: "Secret Show",
      password: showPassword,
      revealKeys: true,
    });
    assert.deepEqual(opened, withOAuthTokensMasked({ ...show, encrypted: true }));
    const settings = await h.call("get_settings", {});
    assert.equal(settings.logRetentionDays, 12);
    assert.equal(settings.lastProfile, "Enc Keys");
    assert.ok(!("obsPassword" in settings));

    const raw = await rawStore(h);
    const every = [plain, encrypted, show].flatMap(secretsOf).filter((v) => !v.startsWith("${"));
    assert.equal(every.length, 26);
    for (const value of every) {
      assert.ok(!raw.includes(value), "an imported secret is in plain text");
    }

    const again = await h.call("import_spiritstream_data", {
      path: source,
      passwords: { "Secret Show": showPassword },
    });
    assert.deepEqual(again.profilesImported, []);
    assert.ok(again.skipped.some((s) => s.name === "Enc Keys" && /already exists/.test(s.reason)));

    const logs = h.logs.join("\n");
    for (const value of [...every, showPassword, wrongPassword]) {
      assert.ok(!logs.includes(value), "a secret reached the logs");
    }
    assert.ok(h.events.some((e) => e.event === "settings_changed"));
  } finally {
    await h.close();
  }
});

Deno.test("import_spiritstream_data refuses paths outside the data and home folders", async () => {
  const h = await startHarness("sqlite");
  const outside = await Deno.makeTempDir({ prefix: "spiritstream-outside-" });
  try {
    await Deno.symlink(outside, `${h.dir}/link-out`);
    const cases: [string, RegExp][] = [
      [outside, /must be inside the data folder or the home folder/],
      [`${h.dir}/link-out`, /must be inside the data folder or the home folder/],
      [`${h.dir}/../${outside.split("/").pop()}`, /must not contain ".."/],
      ["relative/dir", /must be an absolute path/],
      [`${h.dir}/missing`, /no such file or folder/],
    ];
    for (const [path, pattern] of cases) {
      const error = await h.fail("import_spiritstream_data", { path });
      assert.equal(error.status, 400, path);
      assert.match(error.message, /"path"/);
      assert.match(error.message, pattern);
    }
  } finally {
    await Deno.remove(outside, { recursive: true });
    await h.close();
  }
});
