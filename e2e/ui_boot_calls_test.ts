import assert from "node:assert/strict";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { sampleProfile } from "./sample_profile.ts";
import { withCleanup } from "./with_cleanup.ts";

/** What SpiritStream's web UI calls at boot, in its settings view and on "Go live" (§1.3.11). */
function uiCalls(profileName: string): [string, Record<string, unknown>][] {
  return [
    ["get_profile_summaries", {}],
    ["get_active_stream_count", {}],
    ["get_active_group_ids", {}],
    ["get_settings", {}],
    ["is_profile_encrypted", { name: profileName }],
    ["load_profile", { name: profileName }],
    ["list_themes", {}],
    ["get_theme_tokens", { themeId: "spirit-dark" }],
    ["get_recent_logs", {}],
    ["obs_get_config", {}],
    ["obs_set_config", {
      host: "127.0.0.1",
      port: 4455,
      useAuth: false,
      direction: "disabled",
      autoConnect: true,
    }],
    ["obs_get_state", {}],
    ["obs_is_connected", {}],
    ["get_chat_status", {}],
    ["get_platform_chat_status", { platform: "twitch" }],
    ["is_chat_connected", {}],
    ["oauth_is_configured", { provider: "twitch" }],
    ["oauth_get_config", {}],
    ["chat_get_log_status", {}],
    ["oauth_get_account", { provider: "twitch" }],
    ["get_profiles_path", {}],
    ["get_bundled_ffmpeg_path", {}],
    ["get_encoders", {}],
    ["discord_send_notification", {}],
  ];
}

Deno.test("SpiritStream's web UI boot, settings and go-live calls get no 'Not implemented yet'", () =>
  withCleanup(async (defer) => {
    const host = await startDesktopHost();
    defer(() => host.stop());
    const profile = sampleProfile("Boot", ["boot-key-1234567", "boot-key-7654321"]);
    await host.call("save_profile", { profile });
    const missing: string[] = [];
    for (const [command, args] of uiCalls("Boot")) {
      const reply = await host.invoke(command, args);
      if (/^Not implemented yet/.test(String(reply.body.error))) missing.push(command);
    }
    // Without OBS running, obs_connect fails with a reason, not as unimplemented.
    const connect = await host.invoke("obs_connect", {});
    assert.equal(connect.status, 400);
    assert.match(String(connect.body.error), /^Failed to connect to OBS at 127\.0\.0\.1:4455: /);
    assert.deepEqual(missing, []);
  }));

async function getJson(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

Deno.test("SpiritStream's file picker: /api/files/home and /browse answer inside the allowed roots, refuse the rest; /open is refused", () =>
  withCleanup(async (defer) => {
    const home = await Deno.realPath(await Deno.makeTempDir({ prefix: "spiritstream-home-" }));
    defer(() => Deno.remove(home, { recursive: true }));
    await Deno.mkdir(`${home}/Videos`);
    await Deno.writeTextFile(`${home}/ffmpeg`, "#!/bin/sh\n");
    const host = await startDesktopHost({ env: { HOME: home } });
    defer(() => host.stop());
    const files = `${host.base}/api/files`;

    const homeReply = await getJson(`${files}/home`);
    assert.deepEqual([homeReply.status, homeReply.body.ok, homeReply.body.data], [200, true, {
      path: home,
    }]);
    const listed = await getJson(`${files}/browse`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.data.entries, [
      { name: "Videos", type: "directory", size: null },
      { name: "ffmpeg", type: "file", size: 10 },
    ]);
    const data = await getJson(`${files}/browse?path=${encodeURIComponent(host.dataDir)}`);
    assert.equal(data.status, 200, JSON.stringify(data.body));

    for (
      const [path, status, error] of [
        ["/etc", 403, /^Access to this directory is not allowed/],
        [`${home}/../..`, 400, /"path": must not contain "\.\." segments/],
        [`${home}/nope`, 404, /Directory not found/],
        [`${home}/ffmpeg`, 400, /Path is not a directory/],
        ["relative", 400, /must be an absolute path/],
      ] as const
    ) {
      const reply = await getJson(`${files}/browse?path=${encodeURIComponent(path)}`);
      assert.equal(reply.status, status, `${path}: ${JSON.stringify(reply.body)}`);
      assert.equal(reply.body.ok, false);
      assert.match(reply.body.error, error);
    }
    const open = await getJson(`${files}/open`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ path: home }),
    });
    assert.equal(open.status, 403);
    assert.match(open.body.error, /^Opening folders on the host is turned off/);
  }));
