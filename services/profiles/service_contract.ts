import assert from "node:assert/strict";
import { MASKED_SECRET, type Profile } from "@spiritstream/contracts";
import { createProfileStore } from "./profile_store.ts";
import type { Harness } from "./testdata/harness.ts";
import { type ProfileInput, sampleProfile, secret } from "./testdata/profiles.ts";

/** Registers one `Deno.test` with the behaviours the profiles service must show on a store. */
export function profilesServiceContract(name: string, create: () => Promise<Harness>): void {
  Deno.test(`${name}: profiles service behaviours`, async (t) => {
    const h = await create();
    const used: string[] = []; // every secret and password, grepped for in the logs at the end
    const keys = () => {
      const k = {
        twitch: secret("live_twitch"),
        youtube: secret("yt"),
        kick: secret("sk_us-west-2"),
        obs: secret("obspw"),
        webhook: `https://discord.com/api/webhooks/1234/${secret("hook")}`,
      };
      used.push(...Object.values(k));
      return k;
    };
    const targetKeys = (profile: Profile) =>
      profile.outputGroups.flatMap((g) => g.streamTargets.map((s) => s.streamKey));
    try {
      await t.step(
        "save_profile seals every secret at rest; load masks, revealKeys opens",
        async () => {
          const k = keys();
          const input = sampleProfile("Friday Night", k);
          assert.equal(await h.call("save_profile", { profile: input }), null);
          const raw = await rawStore(h);
          for (const value of Object.values(k)) {
            assert.ok(!raw.includes(value), `a secret is stored in plain text (${h.dialect})`);
          }
          assert.ok(raw.includes("Friday Night"), "the raw scan does see the stored rows");
          const masked = await h.call("load_profile", { name: "Friday Night" });
          assert.deepEqual(targetKeys(masked), [MASKED_SECRET, MASKED_SECRET, MASKED_SECRET]);
          assert.equal(masked.settings.obs.password, MASKED_SECRET);
          assert.equal(masked.encrypted, false);
          const open = await h.call("load_profile", { name: "Friday Night", revealKeys: true });
          assert.deepEqual(targetKeys(open), [k.twitch, k.youtube, k.kick]);
          assert.equal(open.settings.obs.password, k.obs);
          assert.equal(open.settings.discord.webhookUrl, k.webhook);
          assert.equal(
            await h.call("reveal_stream_key", {
              profileName: "Friday Night",
              targetId: `${input.id}-kick`,
            }),
            k.kick,
          );
          const event = h.events.at(-1);
          assert.deepEqual(event?.payload, { action: "saved", name: "Friday Night" });
        },
      );

      await t.step(
        "a masked value sent back keeps the stored secret; a new one replaces it",
        async () => {
          const masked = await h.call("load_profile", { name: "Friday Night" });
          const newKick = secret("sk_new");
          used.push(newKick);
          masked.outputGroups[1]!.streamTargets[0]!.streamKey = newKick;
          // Move the Twitch target into the other group: its key follows its id.
          const twitch = masked.outputGroups[0]!.streamTargets.shift()!;
          masked.outputGroups[1]!.streamTargets.push(twitch);
          await h.call("save_profile", { profile: masked });
          const open = await h.call("load_profile", { name: "Friday Night", revealKeys: true });
          const before = used.slice(0, 5);
          assert.deepEqual(targetKeys(open), [before[1], newKick, before[0]]);
          assert.equal(open.settings.obs.password, before[3]);
        },
      );

      await t.step(
        "a masked key for a target with nothing stored is refused, naming it",
        async () => {
          const profile = sampleProfile("Copy", keys());
          profile.outputGroups[0]!.streamTargets[0]!.streamKey = MASKED_SECRET;
          const error = await h.fail("save_profile", { profile });
          assert.equal(error.code, "invalid_argument");
          assert.match(error.message, /"profile\.outputGroups\.0\.streamTargets\.0\.streamKey"/);
          assert.deepEqual(await h.call("get_all_profiles", {}), ["Friday Night"]);
        },
      );

      await t.step("a viewer cannot reveal keys; an operator can", async () => {
        const viewer = await h.fail("load_profile", { name: "Friday Night", revealKeys: true }, {
          role: "viewer",
        });
        assert.equal(viewer.code, "permission_denied");
        const masked = await h.call("load_profile", { name: "Friday Night" }, { role: "viewer" });
        assert.ok(targetKeys(masked).every((key) => key === MASKED_SECRET));
        const open = await h.call("load_profile", { name: "Friday Night", revealKeys: true }, {
          role: "operator",
        });
        assert.ok(targetKeys(open).every((key) => key !== MASKED_SECRET));
      });

      await t.step("a viewer's load_profile never switches the active profile", async () => {
        for (const [name, host] of [["Studio A", "studio-a.lan"], ["Studio B", "studio-b.lan"]]) {
          const profile = sampleProfile(name!, keys());
          profile.settings = { ...profile.settings, obs: { host } };
          await h.call("save_profile", { profile });
        }
        await h.call("load_profile", { name: "Studio A", setActive: true }, { role: "operator" });
        const activeHost = async () => (await h.call("obs_get_config", {})).host;
        assert.equal(await activeHost(), "studio-a.lan");
        await h.call("load_profile", { name: "Studio B", setActive: true }, { role: "viewer" });
        assert.equal(await activeHost(), "studio-a.lan", "the viewer only read Studio B");
        await h.call("load_profile", { name: "Studio B", setActive: true }, { role: "operator" });
        assert.equal(await activeHost(), "studio-b.lan");
        for (const name of ["Studio A", "Studio B"]) await h.call("delete_profile", { name });
      });

      await t.step(
        "the SRT passphrase is masked to viewers and operators; saved back, it is kept",
        async () => {
          const passphrase = secret("srt-pass");
          used.push(passphrase);
          const profile = sampleProfile("Srt In", keys());
          profile.input = {
            type: "srt",
            bindAddress: "0.0.0.0",
            port: 9000,
            srtPassphrase: passphrase,
          };
          await h.call("save_profile", { profile });
          try {
            for (const role of ["viewer", "operator"] as const) {
              const shown = await h.call("load_profile", { name: "Srt In" }, { role });
              assert.equal(shown.input.srtPassphrase, MASKED_SECRET, role);
              assert.ok(!JSON.stringify(shown).includes(passphrase), role);
            }
            const masked = await h.call("load_profile", { name: "Srt In" }, { role: "operator" });
            await h.call("save_profile", { profile: masked }, { role: "operator" });
            // What the dashboard hands the encoder to go live (it reveals only guarded inputs).
            const open = await h.call("load_profile", { name: "Srt In", revealKeys: true }, {
              role: "operator",
            });
            assert.equal(open.input.srtPassphrase, passphrase);
          } finally {
            await h.call("delete_profile", { name: "Srt In" });
          }
        },
      );

      await t.step(
        "a rename moves the profile: one row, same id, same order, keys kept",
        async () => {
          const before = await h.call("load_profile", { name: "Friday Night" });
          const order = await h.call("get_order_index_map", {});
          await h.call("save_profile", { profile: { ...before, name: "Saturday Night" } });
          assert.deepEqual(await h.call("get_all_profiles", {}), ["Saturday Night"]);
          const rows = await createProfileStore(h.db).list("local");
          assert.equal(rows.length, 1);
          assert.equal(rows[0]!.id, before.id);
          assert.deepEqual(await h.call("get_order_index_map", {}), {
            "Saturday Night": order["Friday Night"],
          });
          const open = await h.call("load_profile", { name: "Saturday Night", revealKeys: true });
          assert.ok(!targetKeys(open).includes(MASKED_SECRET));
          assert.equal((await h.fail("load_profile", { name: "Friday Night" })).code, "not_found");
          const names = h.events.slice(-2).map((e) => e.payload);
          assert.deepEqual(names, [
            { action: "deleted", name: "Friday Night" },
            { action: "saved", name: "Saturday Night" },
          ]);
        },
      );

      await t.step("a second profile cannot take an existing name", async () => {
        const error = await h.fail("save_profile", {
          profile: sampleProfile("Saturday Night", keys()),
        });
        assert.equal(error.code, "conflict");
        assert.match(error.message, /"profile\.name"/);
      });

      await t.step("validation names the field and the rule", async () => {
        const cases: [(p: ProfileInput) => void, RegExp][] = [
          [
            (p) => void (p.outputGroups[1]!.video!.width = 1279),
            /outputGroups\.1\.video\.width": must be an even/,
          ],
          [
            (p) => void (p.outputGroups[1]!.video!.bitrate = "50k"),
            /outputGroups\.1\.video\.bitrate": must be from 100k/,
          ],
          [
            (p) => void (p.outputGroups[1]!.audio!.sampleRate = 12345),
            /outputGroups\.1\.audio\.sampleRate": must be one of/,
          ],
          [
            (p) => void (p.outputGroups[1]!.id = "default"),
            /outputGroups\.1\.id": duplicate output group id/,
          ],
          [
            (p) =>
              void (p.outputGroups[1]!.streamTargets![0]!.id =
                p.outputGroups[0]!.streamTargets![0]!.id),
            /streamTargets\.0\.id": duplicate stream target id/,
          ],
          [
            (p) => void (p.outputGroups[0]!.streamTargets![0]!.url = "http://x/app"),
            /streamTargets\.0\.url": stream URL must start/,
          ],
          [
            (p) =>
              void ((p.outputGroups[0]!.streamTargets![0]!.service = "Custom"),
                (p.outputGroups[0]!.streamTargets![0]!.url = "")),
            /streamTargets\.0\.url": must not be empty for a Custom target/,
          ],
          [(p) => void (p.name = "../evil"), /"profile\.name"/],
          [
            (p) => void (p.input!.bindAddress = "0.0.0.0"),
            /"profile\.input\.streamKey": an ingest key is required because the ingest listens on "0\.0\.0\.0"/,
          ],
          [
            (p) => void (p.settings!.discord!.webhookUrl = "https://evil.example/hook"),
            /webhookUrl": webhook URL must start/,
          ],
        ];
        for (const [mutate, pattern] of cases) {
          const profile = sampleProfile("Invalid One", keys());
          mutate(profile);
          const error = await h.fail("save_profile", { profile });
          assert.equal(error.code, "invalid_argument", error.message);
          assert.match(error.message, pattern);
        }
        assert.deepEqual(await h.call("get_all_profiles", {}), ["Saturday Night"]);
      });

      const password = secret("pw");
      used.push(password);
      const k2 = keys();
      const guarded = sampleProfile("Guarded", k2);
      const marker = secret("visible_name"); // not a secret field: only the box can hide it
      guarded.outputGroups[0]!.streamTargets![0]!.name = marker;

      await t.step(
        "a password profile round-trips, and its box holds nothing readable",
        async () => {
          await h.call("save_profile", { profile: guarded, password });
          assert.equal(await h.call("is_profile_encrypted", { name: "Guarded" }), true);
          const raw = await rawStore(h);
          for (const value of [...Object.values(k2), password]) assert.ok(!raw.includes(value));
          assert.ok(!raw.includes(marker), "the whole profile is boxed, not only its secrets");
          await h.restart(); // forgets the unlock that saving with the password created
          const locked = await h.fail("load_profile", { name: "Guarded" });
          assert.equal(locked.code, "failed_precondition");
          assert.match(locked.message, /Password required/);
          const wrong = await h.fail("load_profile", {
            name: "Guarded",
            password: "not-it-at-all",
          });
          assert.equal(wrong.status, 400);
          assert.match(wrong.message, /decrypt/);
          const summaries = await h.call("get_profile_summaries", {});
          assert.deepEqual(summaries.find((s) => s.name === "Guarded")?.resolution, "?");
          const open = await h.call("load_profile", {
            name: "Guarded",
            password,
            revealKeys: true,
          });
          assert.deepEqual(targetKeys(open), [k2.twitch, k2.youtube, k2.kick]);
          assert.equal(open.encrypted, true);
        },
      );

      await t.step("editing an unlocked protected profile keeps it protected", async () => {
        const masked = await h.call("load_profile", { name: "Guarded" }); // unlocked by now
        masked.outputGroups[0]!.streamTargets[0]!.name = "Twitch (edited)";
        await h.call("save_profile", { profile: { ...masked, encrypted: false } });
        assert.equal(await h.call("is_profile_encrypted", { name: "Guarded" }), true);
        await h.restart();
        const open = await h.call("load_profile", { name: "Guarded", password, revealKeys: true });
        assert.equal(open.outputGroups[0]!.streamTargets[0]!.name, "Twitch (edited)");
        assert.deepEqual(targetKeys(open), [k2.twitch, k2.youtube, k2.kick]);
      });

      await t.step("a locked protected profile is never saved without its password", async () => {
        await h.restart();
        const edit = { ...sampleProfile("Guarded", keys(), guarded.id), encrypted: false };
        const error = await h.fail("save_profile", { profile: edit });
        assert.equal(error.code, "failed_precondition");
        assert.match(error.message, /password-protected: unlock it with its password first/);
        const blank = await h.fail("save_profile", { profile: edit, password: "" });
        assert.equal(blank.code, "failed_precondition");
        const wrong = await h.fail("save_profile", { profile: edit, password: "a-wrong-password" });
        assert.match(wrong.message, /decrypt/);
        assert.equal(await h.call("is_profile_encrypted", { name: "Guarded" }), true);
        const open = await h.call("load_profile", { name: "Guarded", password, revealKeys: true });
        assert.deepEqual(targetKeys(open), [k2.twitch, k2.youtube, k2.kick], "nothing changed");
      });

      await t.step(
        "a protected profile renamed while unlocked moves and stays protected",
        async () => {
          const masked = await h.call("load_profile", { name: "Guarded" });
          await h.call("save_profile", { profile: { ...masked, name: "Guarded Renamed" } });
          assert.deepEqual(await h.call("get_all_profiles", {}), [
            "Saturday Night",
            "Guarded Renamed",
          ]);
          assert.equal(await h.call("is_profile_encrypted", { name: "Guarded Renamed" }), true);
          await h.restart();
          const open = await h.call("load_profile", {
            name: "Guarded Renamed",
            password,
            revealKeys: true,
          });
          assert.deepEqual(targetKeys(open), [k2.twitch, k2.youtube, k2.kick]);
        },
      );

      await t.step(
        "protection is removed only explicitly (empty password) while unlocked",
        async () => {
          const masked = await h.call("load_profile", { name: "Guarded Renamed" });
          await h.call("save_profile", { profile: masked, password: "" });
          assert.equal(await h.call("is_profile_encrypted", { name: "Guarded Renamed" }), false);
          const raw = await rawStore(h);
          for (const value of Object.values(k2)) assert.ok(!raw.includes(value), "still sealed");
          await h.restart();
          const open = await h.call("load_profile", { name: "Guarded Renamed", revealKeys: true });
          assert.deepEqual(targetKeys(open), [k2.twitch, k2.youtube, k2.kick]);
          // And back on: a password given to a plain profile protects it again.
          await h.call("save_profile", { profile: open, password });
          assert.equal(await h.call("is_profile_encrypted", { name: "Guarded Renamed" }), true);
        },
      );

      await t.step("a new password given while unlocked replaces the old one", async () => {
        const changed = secret("pw2");
        used.push(changed);
        const masked = await h.call("load_profile", { name: "Guarded Renamed" });
        await h.call("save_profile", { profile: masked, password: changed });
        await h.restart();
        const old = await h.fail("load_profile", { name: "Guarded Renamed", password });
        assert.match(old.message, /decrypt/);
        const open = await h.call("load_profile", {
          name: "Guarded Renamed",
          password: changed,
          revealKeys: true,
        });
        assert.deepEqual(targetKeys(open), [k2.twitch, k2.youtube, k2.kick]);
      });

      await t.step("order commands keep a display order that survives edits", async () => {
        await h.call("set_profile_order", { orderedNames: ["Guarded Renamed", "Saturday Night"] });
        assert.deepEqual(await h.call("get_all_profiles", {}), [
          "Guarded Renamed",
          "Saturday Night",
        ]);
        assert.deepEqual(await h.call("get_order_index_map", {}), {
          "Guarded Renamed": 10,
          "Saturday Night": 20,
        });
        const unknown = await h.fail("set_profile_order", { orderedNames: ["Nope"] });
        assert.match(unknown.message, /Unknown profile: Nope/);
        const summaries = await h.call("get_profile_summaries", {});
        assert.deepEqual(summaries.map((s) => s.name), ["Guarded Renamed", "Saturday Night"]);
        const plain = summaries[1]!;
        assert.equal(plain.resolution, "Passthrough");
        assert.equal(plain.targetCount, 3);
        assert.deepEqual(plain.services.sort(), ["Kick", "Twitch", "YouTube - RTMPS"]);
      });

      await t.step("tenants are isolated", async () => {
        assert.deepEqual(await h.call("get_all_profiles", {}, { tenantId: "other" }), []);
        const error = await h.fail("load_profile", { name: "Saturday Night" }, {
          tenantId: "other",
        });
        assert.equal(error.code, "not_found");
        await h.call("save_profile", { profile: sampleProfile("Saturday Night", keys()) }, {
          tenantId: "other",
        });
        assert.deepEqual(await h.call("get_all_profiles", {}, { tenantId: "other" }), [
          "Saturday Night",
        ]);
      });

      await t.step("delete_profile removes it and answers not_found the second time", async () => {
        await h.call("delete_profile", { name: "Saturday Night" }, { tenantId: "other" });
        assert.deepEqual(await h.call("get_all_profiles", {}, { tenantId: "other" }), []);
        const again = await h.fail("delete_profile", { name: "Saturday Night" }, {
          tenantId: "other",
        });
        assert.equal(again.code, "not_found");
        assert.deepEqual(h.events.at(-1), {
          tenantId: "other",
          event: "profile_changed",
          payload: { action: "deleted", name: "Saturday Night" },
        });
        assert.equal(await h.call("is_profile_encrypted", { name: "../bad" }), false);
      });

      await t.step("save_settings stores and emits settings_changed", async () => {
        const settings = await h.call("get_settings", {});
        await h.call("save_settings", { settings: { ...settings, logRetentionDays: 7 } });
        assert.equal((await h.call("get_settings", {})).logRetentionDays, 7);
        assert.equal(h.events.at(-1)?.event, "settings_changed");
      });

      await t.step("no secret or password appears in any log line", () => {
        assert.ok(h.logs.length > 10, "logs were captured");
        const text = h.logs.join("\n");
        for (const value of used) assert.ok(!text.includes(value), "a secret reached the logs");
      });
    } finally {
      await h.close();
    }
  });
}

/** Everything the store holds for the profiles service, as text: the file bytes or the rows. */
export async function rawStore(h: Harness): Promise<string> {
  if (h.dialect === "sqlite") {
    // WAL mode: recent writes sit in the -wal file until a checkpoint; read both.
    const parts = await Promise.all(
      ["profiles.db", "profiles.db-wal"].map((file) =>
        Deno.readFile(`${h.dir}/${file}`).catch(() => new Uint8Array())
      ),
    );
    return parts.map((bytes) => new TextDecoder("latin1").decode(bytes)).join("\n");
  }
  const rows = await h.db.query("SELECT * FROM profiles");
  const keys = await h.db.query("SELECT * FROM data_keys");
  const settings = await h.db.query("SELECT * FROM settings");
  return JSON.stringify([rows, keys, settings]);
}
