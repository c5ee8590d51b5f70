import assert from "node:assert/strict";
import type { Profile } from "@spiritstream/contracts";
import { type Harness, startHarness } from "../testdata/harness.ts";
import { sampleProfile, secret } from "../testdata/profiles.ts";

const keysOf = (p: Profile) =>
  p.outputGroups.flatMap((g) => g.streamTargets.map((t) => t.streamKey));

async function seed(h: Harness) {
  const plainKeys = {
    twitch: secret("live"),
    youtube: secret("yt"),
    kick: secret("sk"),
    obs: secret("obs"),
  };
  const guardedKeys = { twitch: secret("live"), youtube: secret("yt"), kick: secret("sk") };
  const password = secret("pw");
  await h.call("save_profile", { profile: sampleProfile("Main", plainKeys) });
  await h.call("save_profile", { profile: sampleProfile("Guarded", guardedKeys), password });
  const settings = await h.call("get_settings", {});
  await h.call("save_settings", { settings: { ...settings, logRetentionDays: 3 } });
  return {
    plainKeys,
    guardedKeys,
    password,
    all: [...Object.values(plainKeys), ...Object.values(guardedKeys), password],
  };
}

Deno.test("export_data writes a passphrase bundle that import_spiritstream_data reads back elsewhere", async () => {
  const source = await startHarness("sqlite");
  const target = await startHarness("sqlite"); // another machine: a different machine key
  try {
    const { plainKeys, guardedKeys, password, all } = await seed(source);
    const passphrase = secret("passphrase");
    await source.restart(); // locks "Guarded"
    const locked = await source.fail("export_data", { passphrase });
    assert.equal(locked.code, "failed_precondition");
    assert.match(locked.message, /"Guarded" are locked/);
    await source.call("load_profile", { name: "Guarded", password });

    const noPassphrase = await source.fail("export_data", {});
    assert.match(noPassphrase.message, /"passphrase": required/);
    await source.call("export_data", { passphrase });
    const [entry] = await Array.fromAsync(Deno.readDir(`${source.dir}/exports`));
    const file = `${source.dir}/exports/${entry!.name}`;
    assert.match(entry!.name, /^spiritstream-export-\d{8}-\d{6}\.json$/);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    const text = await Deno.readTextFile(file);
    for (const value of [...all, passphrase]) {
      assert.ok(!text.includes(value), "plaintext in bundle");
    }
    const exists = await source.fail("export_data", { exportPath: file, passphrase });
    assert.match(exists.message, /already exists/);

    const copy = `${target.dir}/bundle.json`;
    await Deno.copyFile(file, copy);
    const missing = await target.fail("import_spiritstream_data", { path: copy });
    assert.match(missing.message, /"passphrase"/);
    const wrong = await target.fail("import_spiritstream_data", {
      path: copy,
      passphrase: "nope-nope",
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.message, /decrypt/);
    const report = await target.call("import_spiritstream_data", {
      path: copy,
      passphrase,
      passwords: { Guarded: password },
    });
    assert.deepEqual(report.profilesImported, ["Main", "Guarded"]);
    assert.deepEqual(report.skipped, []);
    assert.equal(report.settingsImported, true);
    assert.equal((await target.call("get_settings", {})).logRetentionDays, 3);
    const main = await target.call("load_profile", { name: "Main", revealKeys: true });
    assert.deepEqual(keysOf(main), [plainKeys.twitch, plainKeys.youtube, plainKeys.kick]);
    assert.equal(main.settings.obs.password, plainKeys.obs);
    assert.equal(await target.call("is_profile_encrypted", { name: "Guarded" }), true);
    const guarded = await target.call("load_profile", {
      name: "Guarded",
      password,
      revealKeys: true,
    });
    assert.deepEqual(keysOf(guarded), [guardedKeys.twitch, guardedKeys.youtube, guardedKeys.kick]);

    for (const h of [source, target]) {
      const logs = h.logs.join("\n");
      for (const value of [...all, passphrase]) assert.ok(!logs.includes(value), "secret in logs");
    }
  } finally {
    await source.close();
    await target.close();
  }
});

Deno.test("export_data writes plain-text secrets only on explicit request, inside allowed folders", async () => {
  const h = await startHarness("sqlite");
  try {
    const { plainKeys, password } = await seed(h);
    await h.call("load_profile", { name: "Guarded", password });
    const outside = await h.fail("export_data", {
      exportPath: "/etc/spiritstream.json",
      includePlaintextSecrets: true,
    });
    assert.match(outside.message, /"exportPath": must be inside the "exports" folder/);
    const traversal = await h.fail("export_data", {
      exportPath: `${h.dir}/../x.json`,
      includePlaintextSecrets: true,
    });
    assert.match(traversal.message, /must not contain "\.\."/);
    await Deno.mkdir(`${h.dir}/exports`);
    const file = `${h.dir}/exports/plain.json`;
    await h.call("export_data", { exportPath: file, includePlaintextSecrets: true });
    const bundle = JSON.parse(await Deno.readTextFile(file));
    assert.equal(bundle.secrets.mode, "plaintext");
    assert.ok(JSON.stringify(bundle).includes(plainKeys.kick), "asked for plain text, got it");
    await h.call("delete_profile", { name: "Main" });
    const report = await h.call("import_spiritstream_data", { path: file });
    assert.deepEqual(report.profilesImported, ["Main"]);
    assert.equal(report.skipped[0]?.name, "Guarded"); // still there: never overwritten
    const main = await h.call("load_profile", { name: "Main", revealKeys: true });
    assert.deepEqual(keysOf(main), [plainKeys.twitch, plainKeys.youtube, plainKeys.kick]);
  } finally {
    await h.close();
  }
});

/** A harness whose home folder holds a folder outside every root (stand-in for /etc). */
async function withHome(
  fn: (h: Harness, dirs: { home: string; outside: string }) => Promise<void>,
) {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "spiritstream-export-home-" }));
  const home = `${base}/home`;
  const outside = `${base}/etc`;
  for (const dir of [home, outside]) await Deno.mkdir(dir);
  const h = await startHarness("sqlite", { homeDir: home });
  try {
    await h.call("save_profile", {
      profile: sampleProfile("Main", {
        twitch: secret("l"),
        youtube: secret("y"),
        kick: secret("k"),
      }),
    });
    await fn(h, { home, outside });
  } finally {
    await h.close();
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("export_data never follows a symlinked folder out of the data and home folders", async () => {
  await withHome(async (h, { home, outside }) => {
    await Deno.symlink(outside, `${home}/escape`);
    for (const exportPath of [`${home}/escape`, `${home}/escape/bundle.json`]) {
      const error = await h.fail("export_data", { exportPath, includePlaintextSecrets: true });
      assert.equal(error.code, "invalid_argument");
      assert.match(error.message, /^Invalid argument "exportPath": must be inside/);
    }
    assert.deepEqual(await Array.fromAsync(Deno.readDir(outside)), [], "nothing landed outside");
  });
});

Deno.test("export_data lands in <data>/exports by default and refuses existing, hidden and data files", async () => {
  await withHome(async (h, { home }) => {
    await h.call("export_data", { includePlaintextSecrets: true });
    const [entry] = await Array.fromAsync(Deno.readDir(`${h.dir}/exports`));
    assert.match(entry!.name, /^spiritstream-export-\d{8}-\d{6}\.json$/);
    assert.equal((await Deno.stat(`${h.dir}/exports/${entry!.name}`)).mode! & 0o777, 0o600);
    await Deno.writeTextFile(`${home}/notes.txt`, "keep");
    const cases = [
      [`${home}/notes.txt`, /already exists/],
      [`${home}/.bashrc`, /hidden file/],
      [`${h.dir}/secrets.key`, /nor elsewhere in the data folder/],
      [`${home}/../x.json`, /must not contain "\.\."/],
    ] as const;
    const key = await Deno.readTextFile(`${h.dir}/secrets.key`);
    for (const [exportPath, rule] of cases) {
      const error = await h.fail("export_data", { exportPath, includePlaintextSecrets: true });
      assert.match(error.message, /^Invalid argument "exportPath": /);
      assert.match(error.message, rule);
    }
    assert.equal(await Deno.readTextFile(`${home}/notes.txt`), "keep");
    assert.equal(await Deno.readTextFile(`${h.dir}/secrets.key`), key);
    await Deno.stat(`${home}/.bashrc`).then(() => assert.fail("created ~/.bashrc"), () => {});
    await h.call("export_data", { exportPath: home, includePlaintextSecrets: true });
    assert.equal((await Array.fromAsync(Deno.readDir(home))).length, 2, "notes and the bundle");
  });
});
