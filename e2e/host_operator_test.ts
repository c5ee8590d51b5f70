import assert from "node:assert/strict";
import type { Settings, StreamState } from "@spiritstream/contracts";
import { createSettingsStore } from "@spiritstream/profiles";
import { freePort, requireBinary, waitFor, x264Group } from "@spiritstream/testing";
import { type Invoked, startMultiTenantStack } from "./multi_tenant_stack.ts";
import { withCleanup } from "./with_cleanup.ts";

const HOST = { email: "host@example.com", password: "host-operator-pass" };
const TENANT_B = { email: "b-admin@example.com", password: "tenant-b-admin-pass" };
const systemFfmpeg = requireBinary("ffmpeg");

/** A script that leaves `marker` behind whenever it runs, then poses as FFmpeg 6.1. */
async function markerScript(path: string, marker: string, mode: number): Promise<void> {
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const text = `#!/bin/sh\necho ran >> '${marker}'\n` +
    "echo 'ffmpeg version 6.1-fake Copyright (c) 2000-2024 the FFmpeg developers'\n";
  await Deno.writeTextFile(path, text);
  await Deno.chmod(path, mode);
}

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

function refused(reply: Invoked, status: number, pattern: RegExp): void {
  assert.equal(reply.status, status, JSON.stringify(reply));
  assert.equal(reply.ok, false);
  assert.match(reply.error ?? "", pattern);
}

Deno.test("multi-tenant host: host-wide power belongs to the host operator, not to a tenant's admin", async (t) => {
  await withCleanup(async (defer) => {
    const stack = await startMultiTenantStack(HOST);
    defer(() => stack.close());
    await stack.provisionUser("tenant-b", TENANT_B.email, TENANT_B.password, "admin");
    const host = { cookie: await stack.login(HOST.email, HOST.password) };
    const tenant = { cookie: await stack.login(TENANT_B.email, TENANT_B.password) };
    const tenantBearer = {
      authorization: `Bearer ${await stack.accessToken(TENANT_B.email, TENANT_B.password)}`,
    };
    const marker = `${stack.dir}/marker`;
    const script = `${stack.dir}/evil/ffmpeg`;
    await markerScript(script, marker, 0o755);

    await t.step("whoami tells the host operator from a tenant's admin", async () => {
      const mine = await stack.invoke("auth_whoami", {}, host);
      assert.deepEqual(
        [
          (mine.data as { hostOperator: boolean }).hostOperator,
          (mine.data as { role: string }).role,
        ],
        [true, "admin"],
      );
      const theirs = await stack.invoke("auth_whoami", {}, tenant);
      assert.equal((theirs.data as { tenantId: string }).tenantId, "tenant-b");
      assert.equal((theirs.data as { hostOperator: boolean }).hostOperator, false);
    });

    await t.step("tenant-B admin: validate_ffmpeg_path is 403 and runs nothing", async () => {
      for (const who of [tenant, tenantBearer]) {
        for (const path of [systemFfmpeg, script, "/bin/sh"]) {
          refused(
            await stack.invoke("validate_ffmpeg_path", { path }, who),
            403,
            /validate_ffmpeg_path needs the host operator/,
          );
        }
      }
      refused(
        await stack.invoke("install_theme", { themePath: "/tmp/x.json" }, tenant),
        403,
        /host operator/,
      );
      assert.equal(await exists(marker), false, "the script never ran");
    });

    await t.step("tenant-B admin: the host's file picker (/api/files/*) is 403", async () => {
      for (const who of [tenant, tenantBearer]) {
        refused(
          await stack.invoke("browse_host_files", { path: stack.dir }, who),
          403,
          /browse_host_files needs the host operator/,
        );
        refused(
          await stack.invoke("get_host_home_dir", {}, who),
          403,
          /get_host_home_dir needs the host operator/,
        );
      }
      const mine = await stack.invoke("browse_host_files", { path: stack.dir }, host);
      assert.notEqual(mine.status, 403, JSON.stringify(mine));
    });

    await t.step(
      "tenant-B admin: save_settings with ffmpegPath is refused naming the field; other fields save",
      async () => {
        const before = (await stack.invoke("get_settings", {}, tenant)).data as Settings;
        for (const ffmpegPath of ["/bin/sh", script]) {
          refused(
            await stack.invoke("save_settings", {
              settings: { ...before, ffmpegPath, logRetentionDays: 3 },
            }, tenant),
            403,
            /"ffmpegPath" is a host-wide setting; only the host operator may change it/,
          );
        }
        assert.deepEqual((await stack.invoke("get_settings", {}, tenant)).data, before);
        const saved = await stack.invoke("save_settings", {
          settings: { ...before, logRetentionDays: 3 },
        }, tenant);
        assert.equal(saved.status, 200, JSON.stringify(saved));
        const after = (await stack.invoke("get_settings", {}, tenant)).data as Settings;
        assert.equal(after.logRetentionDays, 3);
        assert.equal(after.ffmpegPath, "");
      },
    );

    await t.step(
      "test_ffmpeg and a go-live of tenant B never run a path a tenant stored",
      async () => {
        // As a version without host scope stored it: the path in tenant B's own settings.
        const store = createSettingsStore(stack.profilesDb);
        await store.save("tenant-b", { ...await store.get("tenant-b"), ffmpegPath: script });
        const version = await stack.invoke("test_ffmpeg", {}, tenant);
        assert.equal(version.status, 200, JSON.stringify(version));
        assert.match(String(version.data), /^ffmpeg version /);
        assert.doesNotMatch(String(version.data), /fake/);

        const group = x264Group("g", [{
          id: "t",
          service: "custom",
          name: "t",
          url: `rtmp://127.0.0.1:${freePort()}/live`,
          streamKey: "tenant-b-key",
        }], { width: 320, height: 180, fps: 15, bitrate: "300k", preset: "ultrafast" });
        const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
        const live = await stack.invoke(
          "start_all_streams",
          { groups: [group], incomingUrl },
          tenant,
        );
        assert.equal(live.status, 200, JSON.stringify(live));
        await waitFor(async () => {
          const state = (await stack.invoke("get_stream_state", {}, tenant)).data as StreamState;
          return state.groups.some((g) => g.groupId === "g");
        }, { timeoutMs: 20_000, what: "tenant B's re-encode group to start" });
        await waitFor(
          () => stack.logs.some((line) => JSON.parse(line).msg === "Group encoder started"),
          { timeoutMs: 20_000, what: "the go-live to start the group's FFmpeg" },
        );
        await stack.invoke("stop_all_streams", {}, tenant);
        assert.equal(await exists(marker), false, "the tenant's stored path never ran");
      },
    );

    await t.step(
      "host operator: validate_ffmpeg_path runs only what looks like an FFmpeg",
      async () => {
        refused(
          await stack.invoke("validate_ffmpeg_path", { path: "/bin/sh" }, host),
          400,
          /not an FFmpeg/,
        );
        const unexecutable = `${stack.dir}/plain/ffmpeg`;
        await markerScript(unexecutable, marker, 0o644);
        refused(
          await stack.invoke("validate_ffmpeg_path", { path: unexecutable }, host),
          400,
          /not an FFmpeg: the file is not executable/,
        );
        assert.equal(await exists(marker), false);
        // A session and an access token (its claim) both carry the host operator.
        const hostBearer = {
          authorization: `Bearer ${await stack.accessToken(HOST.email, HOST.password)}`,
        };
        for (const who of [host, hostBearer]) {
          const real = await stack.invoke("validate_ffmpeg_path", { path: systemFfmpeg }, who);
          assert.equal(real.status, 200, JSON.stringify(real));
          assert.match(String(real.data), /^ffmpeg version /);
        }
      },
    );

    await t.step(
      "host operator: the ffmpegPath saved is the whole host's, tenant B's FFmpeg too",
      async () => {
        const settings = (await stack.invoke("get_settings", {}, host)).data as Settings;
        const saved = await stack.invoke("save_settings", {
          settings: { ...settings, ffmpegPath: script },
        }, host);
        assert.equal(saved.status, 200, JSON.stringify(saved));
        assert.equal(
          ((await stack.invoke("get_settings", {}, tenant)).data as Settings).ffmpegPath,
          script,
        );
        // The marker proves the check can see a run: the host's choice is what every tenant runs.
        await waitFor(async () => {
          const reply = await stack.invoke("test_ffmpeg", {}, tenant);
          return /6\.1-fake/.test(String(reply.data));
        }, { timeoutMs: 20_000, what: "the encoder to take the host's new ffmpegPath" });
        assert.equal(await exists(marker), true);
      },
    );
  });
});
