import assert from "node:assert/strict";
import {
  AppError,
  COMMANDS,
  commandSubject,
  EVENTS,
  healthSubject,
  INTERNAL,
  LOCAL_TENANT,
  MASKED_SECRET,
  Settings,
} from "@spiritstream/contracts";
import {
  createEventPublisher,
  createMemoryBus,
  type HealthReport,
  hostService,
} from "@spiritstream/bus";
import { freePort, startNginxRtmp, waitFor } from "@spiritstream/testing";
import { captureLogger } from "./testdata/capture_logger.ts";
import { copyGroup, rtmpTarget, startEncoderHarness } from "./testdata/encoder_harness.ts";

const INCOMING = "rtmp://127.0.0.1:1935/live";

async function rejects(
  work: Promise<unknown>,
  { code, message }: { code: string; message: RegExp },
): Promise<void> {
  await assert.rejects(work, (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("startEncoderService() validates streaming args on the server, naming the field", async () => {
  const h = await startEncoderHarness();
  try {
    const group = copyGroup("g1", []);
    const meta = { requestId: "r1", tenantId: LOCAL_TENANT, userId: null, role: null, ip: null };
    // Raw over the bus, as a client that skipped validation would send it.
    await rejects(
      h.bus.request(commandSubject("encoder", "start_stream"), {
        command: "start_stream",
        meta,
        args: { group, incomingUrl: INCOMING },
      }),
      {
        code: "invalid_argument",
        message: /^Invalid argument "group\.streamTargets": at least one stream target is required/,
      },
    );
    await rejects(
      h.bus.request(commandSubject("encoder", "open_ingest"), {
        command: "open_ingest",
        meta,
        args: { incomingUrl: "http://127.0.0.1/live" },
      }),
      { code: "invalid_argument", message: /"incomingUrl"/ },
    );
  } finally {
    await h.close();
  }
});

Deno.test("startEncoderService() answers the not-running cases without errors or side effects", async () => {
  const h = await startEncoderHarness();
  try {
    assert.equal(await h.call("get_active_stream_count", {}), 0);
    assert.deepEqual(await h.call("get_active_group_ids", {}), []);
    assert.equal(await h.call("is_group_streaming", { groupId: "g1" }), false);
    assert.equal(await h.call("stop_stream", { groupId: "g1" }), null);
    assert.equal(await h.call("stop_all_streams", {}), null);
    await rejects(h.call("retry_stream", { groupId: "g1" }), {
      code: "not_found",
      message: /^Group not found in active groups$/,
    });
    assert.deepEqual(await h.call("get_stream_state", {}), {
      groups: [],
      ingest: { state: "idle", url: null, publisher: null, since: null },
    });
  } finally {
    await h.close();
  }
});

Deno.test("toggle_stream_target on a stopped group records the flag and never starts it", async () => {
  const h = await startEncoderHarness();
  try {
    const group = copyGroup("g1", [rtmpTarget("t1", freePort(), "key-one-123456")]);
    const args = { targetId: "t1", group, incomingUrl: INCOMING };
    assert.equal(await h.call("toggle_stream_target", { ...args, enabled: false }), 0);
    assert.equal(await h.call("is_target_disabled", { targetId: "t1" }), true);
    assert.equal(await h.call("is_target_disabled", { targetId: "t2" }), false);
    assert.equal(await h.call("get_active_stream_count", {}), 0);
    assert.equal((await h.call("get_stream_state", {})).ingest.state, "idle");
    assert.equal(await h.call("toggle_stream_target", { ...args, enabled: true }), 0);
    assert.equal(await h.call("is_target_disabled", { targetId: "t1" }), false);
    // Flags are per tenant.
    await h.call("toggle_stream_target", { ...args, enabled: false }, "tenant-b");
    assert.equal(await h.call("is_target_disabled", { targetId: "t1" }), false);
    assert.equal(await h.call("is_target_disabled", { targetId: "t1" }, "tenant-b"), true);
  } finally {
    await h.close();
  }
});

Deno.test("start_stream refuses masked keys the profiles service cannot resolve, per target", async () => {
  const h = await startEncoderHarness();
  const asked: unknown[] = [];
  const responder = h.bus.serve(INTERNAL.resolveStreamKeys.subject, (data) => {
    const request = INTERNAL.resolveStreamKeys.request.parse(data);
    asked.push(request);
    const keys = request.targetIds.includes("known") ? { known: "resolved-key-123456" } : {};
    return Promise.resolve({ keys });
  });
  await responder.ready;
  try {
    const port = freePort();
    const group = copyGroup("g1", [
      { ...rtmpTarget("known", port, MASKED_SECRET), name: "YouTube" },
      { ...rtmpTarget("locked", port, MASKED_SECRET), name: "Twitch" },
    ]);
    await rejects(
      h.call("start_stream", { group, incomingUrl: `rtmp://127.0.0.1:${freePort()}/live` }),
      {
        code: "failed_precondition",
        message: /^Stream key for target "Twitch" is locked or unknown: load the profile first$/,
      },
    );
    assert.deepEqual(asked, [{ tenantId: LOCAL_TENANT, targetIds: ["known", "locked"] }]);
    assert.equal(await h.call("get_active_stream_count", {}), 0);
    assert.equal((await h.call("get_stream_state", {})).ingest.state, "idle");
  } finally {
    await responder.close();
    await h.close();
  }
});

Deno.test("start_stream with masked keys fails clearly when the profiles service does not answer", async () => {
  const h = await startEncoderHarness();
  try {
    const group = copyGroup("g1", [rtmpTarget("t1", freePort(), MASKED_SECRET)]);
    await rejects(h.call("start_stream", { group, incomingUrl: INCOMING }), {
      code: "unavailable",
      message:
        /^Cannot look up the stream keys of "Target t1": the profiles service did not answer/,
    });
  } finally {
    await h.close();
  }
});

Deno.test("open_ingest refuses a masked ingest key instead of guessing", async () => {
  const h = await startEncoderHarness();
  try {
    await rejects(
      h.call("open_ingest", { incomingUrl: INCOMING, input: { streamKey: MASKED_SECRET } }),
      { code: "invalid_argument", message: /^Invalid argument "input\.streamKey"/ },
    );
  } finally {
    await h.close();
  }
});

Deno.test("system commands: FFmpeg found, download refused honestly when none is configured, nothing to cancel", async () => {
  const h = await startEncoderHarness();
  try {
    assert.match(await h.call("test_ffmpeg", {}), /^ffmpeg version /);
    assert.equal(await h.call("get_bundled_ffmpeg_path", {}), "/usr/bin/ffmpeg");
    await rejects(h.call("download_ffmpeg", {}), {
      code: "failed_precondition",
      message: /^FFmpeg download is not configured on this server .*apt-get install ffmpeg/,
    });
    assert.equal(await h.call("cancel_ffmpeg_download", {}), null);
    const update = await h.call("check_ffmpeg_update", {});
    assert.match(update.installed_version ?? "", /^ffmpeg version /);
    assert.equal(update.update_available, false);
    await rejects(h.call("validate_ffmpeg_path", { path: `${h.dataDir}/missing/ffmpeg` }), {
      code: "invalid_argument",
      message: /^Invalid argument "path"/,
    });
    assert.match(await h.call("validate_ffmpeg_path", { path: "/usr/bin/ffmpeg" }), /^ffmpeg/);
    // A system FFmpeg belongs to the package manager.
    await rejects(h.call("delete_ffmpeg", {}), {
      code: "failed_precondition",
      message: /outside SpiritStream/,
    });
    const report = await (h.bus.request(healthSubject("encoder"), {}) as Promise<HealthReport>);
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.deepEqual(report.checks.map((c) => c.name).sort(), ["bus", "ffmpeg", "leases"]);
  } finally {
    await h.close();
  }
});

Deno.test("delete_ffmpeg removes a managed copy and falls back to the system FFmpeg", async () => {
  const h = await startEncoderHarness();
  try {
    const managed = `${h.dataDir}/ffmpeg/ffmpeg`;
    await Deno.mkdir(`${h.dataDir}/ffmpeg`);
    await Deno.symlink("/usr/bin/ffmpeg", managed);
    assert.equal(await h.call("get_bundled_ffmpeg_path", {}), managed);
    assert.equal(await h.call("delete_ffmpeg", {}), null);
    await assert.rejects(Deno.lstat(managed), Deno.errors.NotFound);
    assert.equal(await h.call("get_bundled_ffmpeg_path", {}), "/usr/bin/ffmpeg");
  } finally {
    await h.close();
  }
});

Deno.test("get_encoders lists libx264 and the report excludes h264_nvenc with a reason", async () => {
  const h = await startEncoderHarness();
  try {
    const encoders = await h.call("get_encoders", {});
    assert.ok(encoders.video.includes("libx264"), JSON.stringify(encoders));
    assert.ok(encoders.audio.includes("aac"), JSON.stringify(encoders));
    assert.ok(!encoders.video.includes("h264_nvenc"));
    const report = await h.call("get_encoder_report", {});
    const nvenc = report.find((entry) => entry.name === "h264_nvenc");
    assert.ok(nvenc, "h264_nvenc is in the report");
    assert.equal(nvenc.available, false);
    assert.equal(nvenc.kind, "hardware");
    assert.ok(nvenc.reason.length > 10, nvenc.reason);
    assert.equal(report.find((entry) => entry.name === "libx264")?.available, true);
  } finally {
    await h.close();
  }
});

Deno.test("test_rtmp_target over the bus reaches nginx without publishing", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const h = await startEncoderHarness();
  try {
    const ok = await h.call("test_rtmp_target", {
      url: `rtmp://localhost:${nginx.ports[0]}/live`,
      streamKey: "live_key_never_sent",
    });
    assert.equal(ok.success, true, ok.message);
    assert.equal(typeof ok.latency_ms, "number");
    const [stat] = await nginx.stat();
    assert.ok(stat!.accepted >= 1);
    assert.deepEqual(stat!.streams, [], "nothing was published");
    const refused = await h.call("test_rtmp_target", {
      url: `rtmp://127.0.0.1:${freePort()}/live`,
      streamKey: "k",
    });
    assert.equal(refused.success, false);
    assert.match(refused.message, /^Connection refused/);
    assert.ok(!h.lines.some((line) => line.includes("live_key_never_sent")));
  } finally {
    await h.close();
    await nginx.stop();
  }
});

Deno.test("the host's ffmpegPath (INTERNAL.hostSettings) wins; settings_changed and delete_ffmpeg apply", async () => {
  const bus = createMemoryBus();
  let settings = Settings.parse({});
  const saved: string[] = [];
  const profiles = hostService(bus, "profiles", {
    catalogue: COMMANDS,
    logger: captureLogger().logger,
    handlers: {
      get_settings: () => Promise.resolve(settings),
      save_settings(args: { settings: Settings }) {
        settings = args.settings;
        saved.push(settings.ffmpegPath);
        return Promise.resolve(null);
      },
    },
  });
  await profiles.ready;
  const host = bus.serve(
    INTERNAL.hostSettings.subject,
    () => Promise.resolve({ ffmpegPath: settings.ffmpegPath, autoDownloadFfmpeg: true }),
  );
  await host.ready;
  const h = await startEncoderHarness({ bus });
  function using(path: string): boolean {
    return h.lines.some((line) => {
      const record = JSON.parse(line);
      return record.msg === "Using FFmpeg" && record.path === path && record.source === "setting";
    });
  }
  try {
    const custom = `${h.dataDir}/custom/ffmpeg`;
    const managed = `${h.dataDir}/ffmpeg/ffmpeg`;
    await Deno.mkdir(`${h.dataDir}/custom`);
    await Deno.mkdir(`${h.dataDir}/ffmpeg`);
    await Deno.symlink("/usr/bin/ffmpeg", custom);
    await Deno.symlink("/usr/bin/ffmpeg", managed);
    settings = { ...settings, ffmpegPath: custom };
    assert.match(await h.call("test_ffmpeg", {}), /^ffmpeg version /);
    assert.ok(using(custom), "resolved from the setting");
    assert.equal(await h.call("get_bundled_ffmpeg_path", {}), custom);

    settings = { ...settings, ffmpegPath: managed };
    await createEventPublisher(bus, EVENTS).emit(LOCAL_TENANT, "settings_changed", {});
    await waitFor(async () => {
      await h.call("test_ffmpeg", {});
      return using(managed);
    }, { what: "re-resolution after settings_changed" });

    assert.equal(await h.call("delete_ffmpeg", {}), null);
    await assert.rejects(Deno.lstat(managed), Deno.errors.NotFound);
    assert.deepEqual(saved, [""], "the setting was cleared through save_settings");
    assert.equal(await h.call("get_bundled_ffmpeg_path", {}), "/usr/bin/ffmpeg");
  } finally {
    await h.close();
    await host.close();
    await profiles.close();
    await bus.close();
  }
});
