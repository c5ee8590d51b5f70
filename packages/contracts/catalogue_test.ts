import assert from "node:assert/strict";
import { z } from "zod";
import {
  COMMAND_NAMES,
  commandByName,
  COMMANDS,
  commandsOf,
  SPIRITSTREAM_COMMANDS,
} from "./catalogue.ts";
import type { CommandDef, ServiceName } from "./command.ts";
import { describeZodError } from "./errors.ts";

/** SpiritStream §1.3, written out by hand: group → its commands. */
const SPIRITSTREAM: Record<string, string[]> = {
  profiles: [
    "get_all_profiles",
    "get_profile_summaries",
    "load_profile",
    "save_profile",
    "delete_profile",
    "is_profile_encrypted",
    "validate_input",
    "set_profile_order",
    "get_order_index_map",
    "ensure_order_indexes",
  ],
  streaming: [
    "start_stream",
    "start_all_streams",
    "stop_stream",
    "stop_all_streams",
    "retry_stream",
    "get_active_stream_count",
    "is_group_streaming",
    "get_active_group_ids",
    "toggle_stream_target",
    "is_target_disabled",
  ],
  system: [
    "get_encoders",
    "test_ffmpeg",
    "validate_ffmpeg_path",
    "test_rtmp_target",
    "download_ffmpeg",
    "cancel_ffmpeg_download",
    "get_bundled_ffmpeg_path",
    "check_ffmpeg_update",
    "delete_ffmpeg",
  ],
  logs: ["get_recent_logs", "export_logs"],
  settings: [
    "get_settings",
    "save_settings",
    "get_profiles_path",
    "export_data",
    "clear_data",
    "rotate_machine_key",
  ],
  themes: ["list_themes", "refresh_themes", "get_theme_tokens", "install_theme"],
  obs: [
    "obs_get_state",
    "obs_get_config",
    "obs_set_config",
    "obs_connect",
    "obs_disconnect",
    "obs_start_stream",
    "obs_stop_stream",
    "obs_is_connected",
  ],
  discord: ["discord_test_webhook", "discord_send_notification", "discord_reset_cooldown"],
  chat: [
    "connect_chat",
    "send_chat_message",
    "chat_export_log",
    "chat_search_session",
    "disconnect_chat",
    "retry_chat_connection",
    "disconnect_all_chat",
    "get_chat_status",
    "chat_get_log_status",
    "get_platform_chat_status",
    "is_chat_connected",
  ],
  oauth: [
    "oauth_is_configured",
    "oauth_start_flow",
    "oauth_complete_flow",
    "oauth_get_account",
    "oauth_disconnect",
    "oauth_forget",
    "oauth_refresh_token",
    "oauth_get_config",
    "oauth_set_config",
  ],
};

const SERVICE_OF_GROUP: Record<string, ServiceName> = {
  profiles: "profiles",
  settings: "profiles",
  themes: "profiles",
  obs: "profiles",
  discord: "profiles",
  chat: "profiles",
  oauth: "profiles",
  streaming: "encoder",
  system: "encoder",
  recordings: "encoder",
  logs: "events",
  auth: "auth",
};

const all = Object.values(COMMANDS) as CommandDef[];

function args(name: string, input: unknown) {
  return commandByName(name)!.args.safeParse(input);
}

Deno.test("COMMANDS holds all 72 SpiritStream commands in their group and service", () => {
  const names = Object.values(SPIRITSTREAM).flat();
  assert.equal(names.length, 72);
  for (const [group, list] of Object.entries(SPIRITSTREAM)) {
    for (const name of list) {
      const def = commandByName(name);
      assert.ok(def, `missing ${name}`);
      assert.equal(def.group, group, name);
      assert.equal(def.service, SERVICE_OF_GROUP[group], name);
    }
  }
  assert.deepEqual([...SPIRITSTREAM_COMMANDS].sort(), [...names].sort());
});

Deno.test("every command is keyed by its own name and owned by its group's service", () => {
  assert.equal(new Set(COMMAND_NAMES).size, COMMAND_NAMES.length);
  for (const [key, def] of Object.entries(COMMANDS) as [string, CommandDef][]) {
    assert.equal(def.name, key);
    assert.equal(def.service, SERVICE_OF_GROUP[def.group], key);
    assert.ok(def.summary.length > 0, key);
  }
  assert.equal(commandByName("no_such_command"), undefined);
  assert.equal(commandByName("toString"), undefined);
  assert.equal(commandsOf("auth").length, 22);
  assert.ok(commandsOf("encoder").every((def) => def.service === "encoder"));
});

Deno.test("our commands exist with the agreed service and permission", () => {
  const expected: [string, ServiceName, string][] = [
    ["get_encoder_report", "encoder", "read"],
    ["get_stream_state", "encoder", "read"],
    ["open_ingest", "encoder", "operate"],
    ["import_spiritstream_data", "profiles", "admin"],
    ["reveal_stream_key", "profiles", "operate"],
    ["auth_whoami", "auth", "read"],
    ["list_users", "auth", "admin"],
    ["create_user", "auth", "admin"],
    ["update_user", "auth", "admin"],
    ["delete_user", "auth", "admin"],
    ["list_api_tokens", "auth", "admin"],
    ["create_api_token", "auth", "admin"],
    ["revoke_api_token", "auth", "admin"],
    ["get_audit_log", "auth", "admin"],
    ["get_sign_in_settings", "auth", "admin"],
    ["set_sign_in_settings", "auth", "admin"],
    ["get_stream_sessions", "events", "read"],
    ["get_diagnostics", "events", "admin"],
    ["browse_host_files", "profiles", "host"],
    ["get_host_home_dir", "profiles", "host"],
    ["create_tenant", "auth", "host"],
    ["list_tenants", "auth", "host"],
    ["suspend_tenant", "auth", "host"],
    ["resume_tenant", "auth", "host"],
    ["delete_tenant", "auth", "host"],
    ["set_tenant_quotas", "auth", "host"],
    ["export_tenant", "profiles", "host"],
    ["get_tenant_usage", "encoder", "admin"],
    ["create_invite", "auth", "admin"],
    ["list_invites", "auth", "admin"],
    ["revoke_invite", "auth", "admin"],
    ["list_recordings", "encoder", "read"],
    ["read_recording", "encoder", "operate"],
    ["delete_recording", "encoder", "admin"],
    ["list_domain_claims", "auth", "host"],
    ["decide_domain_claim", "auth", "host"],
  ];
  for (const [name, service, permission] of expected) {
    assert.equal(commandByName(name)?.service, service, name);
    assert.equal(commandByName(name)?.permission, permission, name);
  }
  assert.equal(COMMAND_NAMES.length, 72 + expected.length);
});

Deno.test("permissions follow the read/operate/admin rules", () => {
  for (const def of all) {
    if (/^(get_|is_|list_|chat_get_|obs_get_|obs_is_|oauth_get_|oauth_is_)/.test(def.name)) {
      const adminReads = [
        "get_audit_log",
        "list_users",
        "list_api_tokens",
        "get_diagnostics",
        "get_sign_in_settings",
        "get_tenant_usage",
        "list_invites",
      ];
      const hostReads = ["get_host_home_dir", "list_tenants", "list_domain_claims"];
      const expected = adminReads.includes(def.name)
        ? "admin"
        : hostReads.includes(def.name)
        ? "host"
        : "read";
      assert.equal(def.permission, expected, def.name);
    }
  }
  for (const name of ["start_all_streams", "stop_stream", "save_profile", "delete_profile"]) {
    assert.equal(COMMANDS[name as keyof typeof COMMANDS].permission, "operate", name);
  }
  for (
    const name of [
      "save_settings",
      "export_data",
      "clear_data",
      "rotate_machine_key",
    ]
  ) {
    assert.equal(COMMANDS[name as keyof typeof COMMANDS].permission, "admin", name);
  }
});

Deno.test("exactly the commands that run a host binary, touch the host's folders or other tenants need host", () => {
  const host = all.filter((def) => def.permission === "host").map((def) => def.name).sort();
  assert.deepEqual(host, [
    "browse_host_files",
    "cancel_ffmpeg_download",
    "create_tenant",
    "decide_domain_claim",
    "delete_ffmpeg",
    "delete_tenant",
    "download_ffmpeg",
    "export_tenant",
    "get_host_home_dir",
    "install_theme",
    "list_domain_claims",
    "list_tenants",
    "resume_tenant",
    "set_tenant_quotas",
    "suspend_tenant",
    "validate_ffmpeg_path",
  ]);
});

Deno.test("exactly the UI-polled commands are quiet", () => {
  const quiet = all.filter((def) => def.quiet).map((def) => def.name).sort();
  assert.deepEqual(quiet, [
    "get_active_group_ids",
    "get_active_stream_count",
    "get_chat_status",
    "get_platform_chat_status",
    "is_chat_connected",
    "obs_get_state",
    "obs_is_connected",
  ]);
});

Deno.test("every command's args and result convert to JSON Schema both ways", () => {
  for (const def of all) {
    for (const io of ["input", "output"] as const) {
      const argsSchema = z.toJSONSchema(def.args, { io, unrepresentable: "any" });
      assert.equal(argsSchema.type, "object", def.name);
      const resultSchema = z.toJSONSchema(def.result, { io, unrepresentable: "any" });
      assert.equal(typeof resultSchema, "object", def.name);
    }
  }
});

Deno.test("load_profile args: bad types name the path, null means absent, defaults apply", () => {
  const bad = args("load_profile", { name: 5 });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues[0]!.path, ["name"]);
  assert.match(describeZodError(bad.error!), /^Invalid argument "name": /);
  assert.deepEqual(args("load_profile", {}).error?.issues[0]?.path, ["name"]);

  const parsed = args("load_profile", { name: "Main", password: null, setActive: null, extra: 1 });
  assert.deepEqual(parsed.data, {
    name: "Main",
    password: null,
    setActive: true,
    revealKeys: false,
  });
  assert.equal(args("load_profile", { name: "Main", setActive: false }).data?.setActive, false);
  assert.equal(args("load_profile", { name: "Main", revealKeys: true }).data?.revealKeys, true);
  assert.match(args("load_profile", { name: "a/b" }).error!.issues[0]!.message, /must not contain/);
});

Deno.test("optional args accept null and absence alike", () => {
  assert.equal(args("get_recent_logs", {}).data?.maxLines, 500);
  assert.equal(args("get_recent_logs", { maxLines: null }).data?.maxLines, 500);
  assert.equal(args("get_recent_logs", { maxLines: 20 }).data?.maxLines, 20);
  assert.equal(args("get_recent_logs", { maxLines: 0 }).success, false);
  assert.equal(args("chat_search_session", { query: "hi", limit: null }).data?.limit, 500);
  assert.equal(args("check_ffmpeg_update", { installedVersion: null }).success, true);
  assert.equal(args("save_profile", { profile: minimalProfile(), password: null }).success, true);
  assert.equal(args("get_audit_log", {}).data?.limit, 100);
});

Deno.test("streaming args apply the go-live rules with field paths", () => {
  const group = minimalProfile().outputGroups[0]!;
  const ok = args("start_all_streams", {
    groups: [group],
    incomingUrl: "rtmp://127.0.0.1:1935/live",
  });
  assert.equal(ok.success, true);
  const none = args("start_all_streams", {
    groups: [{ ...group, streamTargets: [] }],
    incomingUrl: "rtmp://127.0.0.1:1935/live",
  });
  assert.equal(none.error?.issues[0]?.message, "at least one stream target is required to go live");
  const single = args("start_stream", {
    group: { ...group, streamTargets: [] },
    incomingUrl: "rtmp://h/live",
  });
  assert.deepEqual(single.error?.issues[0]?.path, ["group", "streamTargets"]);
  const badUrl = args("start_stream", { group, incomingUrl: "http://h/live" });
  assert.deepEqual(badUrl.error?.issues[0]?.path, ["incomingUrl"]);
});

Deno.test("obs_set_config maps an unknown direction to disabled and checks the port", () => {
  const base = { host: "localhost", port: 4455, useAuth: false, autoConnect: false };
  assert.equal(
    args("obs_set_config", { ...base, direction: "bidirectional" }).data?.direction,
    "bidirectional",
  );
  assert.equal(args("obs_set_config", { ...base, direction: "weird" }).data?.direction, "disabled");
  assert.deepEqual(
    args("obs_set_config", { ...base, port: 0, direction: "x" }).error?.issues[0]?.path,
    ["port"],
  );
});

Deno.test("create_user validates email, password and role", () => {
  const ok = args("create_user", {
    email: " Admin@Example.com ",
    password: "correct horse",
    role: "admin",
  });
  assert.equal(ok.data?.email, "admin@example.com");
  const bad = args("create_user", { email: "nope", password: "short", role: "root" });
  assert.deepEqual(bad.error?.issues.map((issue) => issue.path[0]).sort(), [
    "email",
    "password",
    "role",
  ]);
});

function minimalProfile() {
  return {
    id: "p1",
    name: "Main",
    outputGroups: [{
      id: "default",
      video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
      audio: { codec: "copy", bitrate: "0k", channels: 0, sampleRate: 0 },
      streamTargets: [{
        id: "t1",
        service: "Twitch",
        url: "rtmp://live.twitch.tv/app",
        streamKey: "k",
      }],
    }],
  };
}
