import assert from "node:assert/strict";
import { join } from "node:path";
import type { RequestMeta } from "@spiritstream/contracts";
import { startHarness } from "./testdata/harness.ts";
import { sampleProfile, secret } from "./testdata/profiles.ts";

const admin = (tenantId: string): Partial<RequestMeta> => ({
  tenantId,
  userId: `${tenantId}-admin`,
  role: "admin",
  hostOperator: false,
});

Deno.test("export_data, import_spiritstream_data and chat_export_log: another tenant's admin gets a folder of its own, so tenant B can neither import tenant A's bundle (keys and sign-in tokens) nor write into A's or the host's folders", async () => {
  const home = await Deno.makeTempDir({ prefix: "spiritstream-home-" });
  const h = await startHarness("sqlite", { homeDir: home });
  const a = admin("acme");
  const b = admin("globex");
  try {
    const key = secret("acme-key");
    const token = secret("acme-twitch-token");
    const profile = sampleProfile("Acme", { twitch: key, youtube: secret("y"), kick: "k1" });
    profile.settings = {
      oauth: { twitch: { accessToken: token, userId: "1", username: "acme", displayName: "A" } },
    };
    await h.call("save_profile", { profile }, a);
    await h.call("export_data", { includePlaintextSecrets: true }, a);
    const acmeExports = join(h.dir, "tenants", "acme", "exports");
    const [bundle] = (await Array.fromAsync(Deno.readDir(acmeExports))).map((e) =>
      join(acmeExports, e.name)
    );
    assert.ok(bundle, "tenant A's bundle is in its own exports folder");
    assert.equal(
      (await Deno.stat(join(h.dir, "exports")).catch(() => null))?.isDirectory ?? false,
      false,
    );

    const stolen = await h.fail("import_spiritstream_data", { path: bundle }, b);
    assert.equal(stolen.code, "invalid_argument");
    assert.match(stolen.message, /^Invalid argument "path": must be inside/);
    assert.deepEqual(await h.call("get_all_profiles", {}, b), []);
    for (const folder of [acmeExports, home, join(h.dir, "exports")]) {
      await Deno.mkdir(folder, { recursive: true });
      const into = await h.fail("export_data", {
        includePlaintextSecrets: true,
        exportPath: folder,
      }, b);
      assert.match(into.message, /^Invalid argument "exportPath": must be inside/, folder);
      const chat = await h.fail("chat_export_log", { path: folder }, b);
      assert.match(chat.message, /^Invalid argument "path": must be inside/, folder);
    }
    // Tenant A still imports its own bundle; the host operator still uses the host's folders.
    const own = await h.call("import_spiritstream_data", { path: bundle }, a);
    assert.ok(own.profilesImported.length + own.skipped.length > 0);
    await h.call("chat_export_log", { path: home });
    assert.equal((await Array.fromAsync(Deno.readDir(home))).length, 1);
  } finally {
    await h.close();
    await Deno.remove(home, { recursive: true });
  }
});
