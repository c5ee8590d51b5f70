import assert from "node:assert/strict";
import { INTERNAL, LOCAL_TENANT, type RequestMeta, Settings } from "@spiritstream/contracts";
import { createSettingsStore } from "./settings_store.ts";
import { startHarness } from "./testdata/harness.ts";

/** An admin of a tenant other than the host's own: administers that tenant, not the host. */
const TENANT_ADMIN: Partial<RequestMeta> = {
  tenantId: "tenant-b",
  userId: "u-b",
  role: "admin",
  via: "session",
  hostOperator: false,
};
const HOST_OPERATOR: Partial<RequestMeta> = {
  tenantId: LOCAL_TENANT,
  userId: "u-a",
  role: "admin",
  via: "session",
  hostOperator: true,
};

Deno.test("save_settings: a tenant admin changing ffmpegPath is refused naming the field, nothing saved", async () => {
  const h = await startHarness("sqlite");
  try {
    const before = await h.call("get_settings", {}, TENANT_ADMIN);
    const error = await h.fail("save_settings", {
      settings: { ...before, ffmpegPath: "/bin/sh", logRetentionDays: 3 },
    }, TENANT_ADMIN);
    assert.equal(error.code, "permission_denied");
    assert.match(error.message, /"ffmpegPath" is a host-wide setting/);
    assert.match(error.message, /only the host operator may change it/);
    const after = await h.call("get_settings", {}, TENANT_ADMIN);
    assert.deepEqual(after, before, "nothing was saved");
    assert.equal(await createSettingsStore(h.db).getHost(), null);

    const both = await h.fail("save_settings", {
      settings: { ...before, ffmpegPath: "/bin/sh", autoDownloadFfmpeg: false },
    }, TENANT_ADMIN);
    assert.match(both.message, /"ffmpegPath", "autoDownloadFfmpeg" are host-wide settings/);
  } finally {
    await h.close();
  }
});

Deno.test("save_settings: a tenant admin still saves the other fields when the host-wide ones are unchanged", async () => {
  const h = await startHarness("sqlite");
  try {
    const host = await h.call("get_settings", {}, HOST_OPERATOR);
    await h.call("save_settings", {
      settings: { ...host, ffmpegPath: "/usr/bin/ffmpeg" },
    }, HOST_OPERATOR);
    const mine = await h.call("get_settings", {}, TENANT_ADMIN);
    assert.equal(mine.ffmpegPath, "/usr/bin/ffmpeg", "every tenant reads the host's value");
    await h.call("save_settings", { settings: { ...mine, logRetentionDays: 3 } }, TENANT_ADMIN);
    const saved = await h.call("get_settings", {}, TENANT_ADMIN);
    assert.equal(saved.logRetentionDays, 3);
    assert.equal(saved.ffmpegPath, "/usr/bin/ffmpeg");
    // The tenant's own row never holds a host-wide field.
    const own = await createSettingsStore(h.db).get("tenant-b");
    assert.ok(own && !("ffmpegPath" in own), JSON.stringify(own));
    assert.equal((await h.call("get_settings", {}, HOST_OPERATOR)).logRetentionDays, 30);
  } finally {
    await h.close();
  }
});

Deno.test("save_settings: the host operator's ffmpegPath is host scope, served to the encoder and kept by clear_data", async () => {
  const h = await startHarness("sqlite");
  try {
    const settings = await h.call("get_settings", {}, HOST_OPERATOR);
    await h.call("save_settings", {
      settings: { ...settings, ffmpegPath: "/opt/ffmpeg/ffmpeg" },
    }, HOST_OPERATOR);
    assert.deepEqual(h.events.at(-1), {
      tenantId: LOCAL_TENANT,
      event: "settings_changed",
      payload: {},
    });
    const asked = await h.bus.request(INTERNAL.hostSettings.subject, {});
    assert.deepEqual(INTERNAL.hostSettings.reply.parse(asked), {
      ffmpegPath: "/opt/ffmpeg/ffmpeg",
      autoDownloadFfmpeg: true,
    });
    await h.call("clear_data", {}, TENANT_ADMIN);
    await h.call("clear_data", {}, HOST_OPERATOR);
    assert.equal((await h.call("get_settings", {}, TENANT_ADMIN)).ffmpegPath, "/opt/ffmpeg/ffmpeg");
  } finally {
    await h.close();
  }
});

Deno.test("host settings saved before they had a row of their own are adopted from the local tenant at start", async () => {
  const h = await startHarness("sqlite");
  try {
    const store = createSettingsStore(h.db);
    // As an older version stored them: in the settings of each tenant.
    await store.save(LOCAL_TENANT, { ...Settings.parse({}), ffmpegPath: "/usr/bin/ffmpeg" });
    await store.save("tenant-b", { ...Settings.parse({}), ffmpegPath: "/bin/sh" });
    await h.restart();
    assert.equal((await h.call("get_settings", {}, TENANT_ADMIN)).ffmpegPath, "/usr/bin/ffmpeg");
    const asked = INTERNAL.hostSettings.reply.parse(
      await h.bus.request(INTERNAL.hostSettings.subject, {}),
    );
    assert.equal(asked.ffmpegPath, "/usr/bin/ffmpeg", "never a tenant's stored path");
    // Saving another field, or clearing the local tenant, keeps the adopted path.
    const settings = await h.call("get_settings", {}, HOST_OPERATOR);
    await h.call(
      "save_settings",
      { settings: { ...settings, logRetentionDays: 4 } },
      HOST_OPERATOR,
    );
    assert.equal((await h.call("get_settings", {}, HOST_OPERATOR)).ffmpegPath, "/usr/bin/ffmpeg");
    await h.call("clear_data", {}, HOST_OPERATOR);
    await h.restart();
    assert.equal((await h.call("get_settings", {}, HOST_OPERATOR)).ffmpegPath, "/usr/bin/ffmpeg");
  } finally {
    await h.close();
  }
});

Deno.test("import_spiritstream_data by a tenant admin keeps the host's ffmpegPath and says so", async () => {
  const h = await startHarness("sqlite");
  try {
    // A tenant's admin imports from the tenant's own folder (tenant_exports_test.ts).
    const folder = `${h.dir}/tenants/tenant-b/old-spiritstream`;
    await Deno.mkdir(`${folder}/profiles`, { recursive: true });
    await Deno.writeTextFile(
      `${folder}/settings.json`,
      JSON.stringify({ ffmpegPath: "/bin/sh", logRetentionDays: 9 }),
    );
    const report = await h.call("import_spiritstream_data", { path: folder }, TENANT_ADMIN);
    assert.equal(report.settingsImported, true);
    assert.deepEqual(report.skipped.filter((s) => s.name.startsWith("settings.")), [{
      name: "settings.ffmpegPath",
      reason:
        "a host-wide setting: only the host operator may change it, so the host's value was kept",
    }]);
    const mine = await h.call("get_settings", {}, TENANT_ADMIN);
    assert.equal(mine.logRetentionDays, 9, "the other settings were imported");
    assert.equal(mine.ffmpegPath, "");
    assert.equal(await createSettingsStore(h.db).getHost(), null);

    const hostReport = await h.call("import_spiritstream_data", { path: folder }, HOST_OPERATOR);
    assert.ok(!hostReport.skipped.some((s) => s.name.startsWith("settings.")));
    assert.equal((await h.call("get_settings", {}, TENANT_ADMIN)).ffmpegPath, "/bin/sh");
  } finally {
    await h.close();
  }
});
