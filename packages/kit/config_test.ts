import assert from "node:assert/strict";
import { ConfigError, isLoopbackHost, loadConfig } from "./config.ts";
import { hostnameOf } from "@spiritstream/contracts";

Deno.test("loadConfig() fills desktop defaults from an empty environment", () => {
  const config = loadConfig({ HOME: "/home/ada" }, { os: "linux" });
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.port, 8008);
  assert.equal(config.dataDir, "/home/ada/.local/share/spiritstream");
  assert.equal(config.logDir, "/home/ada/.local/share/spiritstream/logs");
  assert.equal(config.apiToken, null);
  assert.equal(config.rateLimitPerMinute, 300);
  assert.equal(config.natsUrl, null);
});

Deno.test("loadConfig() lets the environment win over stored profile settings", () => {
  const stored = { host: "0.0.0.0", port: 9000, token: "stored-token-123", remoteEnabled: true };
  const fromStored = loadConfig({}, { stored, os: "linux" });
  assert.equal(fromStored.host, "0.0.0.0");
  assert.equal(fromStored.port, 9000);
  assert.equal(fromStored.apiToken, "stored-token-123");
  const fromEnv = loadConfig(
    { SPIRITSTREAM_PORT: "8100", SPIRITSTREAM_DEV_TOKEN: "dev-token-123" },
    { stored, os: "linux" },
  );
  assert.equal(fromEnv.port, 8100);
  assert.equal(fromEnv.apiToken, "dev-token-123");
});

Deno.test("loadConfig() ignores a stored host unless remote access is enabled", () => {
  const config = loadConfig({}, { stored: { host: "0.0.0.0", remoteEnabled: false } });
  assert.equal(config.host, "127.0.0.1");
});

Deno.test("loadConfig() prefers SPIRITSTREAM_API_TOKEN over its alias", () => {
  const config = loadConfig({
    SPIRITSTREAM_API_TOKEN: "primary-token",
    SPIRITSTREAM_DEV_TOKEN: "alias-token-1",
  });
  assert.equal(config.apiToken, "primary-token");
});

Deno.test("loadConfig() names the variable and the rule of an invalid value", () => {
  assert.throws(() => loadConfig({ SPIRITSTREAM_PORT: "eighty" }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.variable, "SPIRITSTREAM_PORT");
    assert.match(error.message, /^Invalid SPIRITSTREAM_PORT: must be an integer/);
    return true;
  });
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_NATS_URL: "localhost:4222" }),
    /NATS_URL.*nats:\/\//,
  );
  assert.throws(() => loadConfig({ SPIRITSTREAM_UI_ENABLED: "maybe" }), /UI_ENABLED/);
});

Deno.test("loadConfig() never echoes a rejected secret", () => {
  assert.throws(() => loadConfig({ SPIRITSTREAM_API_TOKEN: "short" }), (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.doesNotMatch(error.message, /short/);
    return true;
  });
});

Deno.test("isLoopbackHost() accepts only loopback addresses", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "LocalHost", "::1", "[::1]", "0::1"]) {
    assert.ok(isLoopbackHost(host), host);
  }
  for (
    const host of [
      "0.0.0.0",
      "192.168.1.2",
      "::",
      "example.com",
      // DNS names an attacker controls, not addresses: never a prefix match.
      "127.0.0.1.x.attacker.example",
      "127.attacker.example",
      "127.0.0.1.nip.io",
      "localhost.attacker.example",
      // Not plain dotted quads (some resolvers read them as octal or hex).
      "127.0.0.01",
      "0127.0.0.1",
      "127.0.0.256",
      "127.1",
      "::ffff:1",
    ]
  ) {
    assert.ok(!isLoopbackHost(host), host);
  }
});

Deno.test("hostnameOf() strips the port and refuses what is not a plain host", () => {
  assert.equal(hostnameOf("127.0.0.1:8008"), "127.0.0.1");
  assert.equal(hostnameOf("[::1]:8008"), "[::1]");
  assert.equal(hostnameOf("LOCALHOST"), "localhost");
  for (const host of ["", "a@b", "a b", "x/y", "0x7f.1", "2130706433"]) {
    assert.equal(hostnameOf(host), null, host);
  }
});

Deno.test("loadConfig() reads SPIRITSTREAM_ALLOWED_HOSTS and names the rule it breaks", () => {
  assert.deepEqual(loadConfig({}, { os: "linux" }).allowedHosts, []);
  assert.deepEqual(
    loadConfig({ SPIRITSTREAM_ALLOWED_HOSTS: " Studio.local, 192.168.1.20 ,[::1]" }, {
      os: "linux",
    }).allowedHosts,
    ["studio.local", "192.168.1.20", "[::1]"],
  );
  for (const bad of ["studio.local:8008", "http://studio.local", "*.example", "a b", "x/y"]) {
    assert.throws(
      () => loadConfig({ SPIRITSTREAM_ALLOWED_HOSTS: bad }, { os: "linux" }),
      /^ConfigError: Invalid SPIRITSTREAM_ALLOWED_HOSTS: must be a comma-separated list of host names/,
      bad,
    );
  }
});

Deno.test("loadConfig() reads the probe port and the event stream replicas of server modes", () => {
  const defaults = loadConfig({}, { os: "linux" });
  assert.equal(defaults.healthPort, null);
  assert.equal(defaults.natsReplicas, 1);
  const cluster = loadConfig(
    { SPIRITSTREAM_HEALTH_PORT: "8081", SPIRITSTREAM_NATS_REPLICAS: "3" },
    { os: "linux" },
  );
  assert.equal(cluster.healthPort, 8081);
  assert.equal(cluster.natsReplicas, 3);
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_NATS_REPLICAS: "7" }, { os: "linux" }),
    { message: "Invalid SPIRITSTREAM_NATS_REPLICAS: must be at most 5" },
  );
});

Deno.test("loadConfig() reads the users-mode bootstrap and wants the admin email and password together", () => {
  const config = loadConfig({
    SPIRITSTREAM_AUTH_MODE: "users",
    SPIRITSTREAM_SETUP_TOKEN: "a-setup-token-of-16+",
    SPIRITSTREAM_ADMIN_EMAIL: "admin@example.com",
    SPIRITSTREAM_ADMIN_PASSWORD: "admin-passphrase",
  });
  assert.equal(config.setupToken, "a-setup-token-of-16+");
  assert.equal(config.adminEmail, "admin@example.com");
  assert.equal(config.adminPassword, "admin-passphrase");
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_ADMIN_EMAIL: "admin@example.com" }),
    /Invalid SPIRITSTREAM_ADMIN_PASSWORD: must be set together/,
  );
  assert.throws(() => loadConfig({ SPIRITSTREAM_SETUP_TOKEN: "short" }), /at least 16 characters/);
  assert.equal(loadConfig({}).setupToken, null);
});

Deno.test("loadConfig() reads SPIRITSTREAM_KEY_ENV_ALLOW and refuses SPIRITSTREAM_* names in it", () => {
  assert.deepEqual(loadConfig({}).keyEnvAllow, []);
  const config = loadConfig({ SPIRITSTREAM_KEY_ENV_ALLOW: " TWITCH_KEY, YT_KEY ,," });
  assert.deepEqual(config.keyEnvAllow, ["TWITCH_KEY", "YT_KEY"]);
  for (
    const [list, rule] of [[
      "A,SPIRITSTREAM_ADMIN_PASSWORD",
      /must not list SPIRITSTREAM_ADMIN_PASSWORD/,
    ], ["A-B", /"A-B" is not a variable name/]] as const
  ) {
    assert.throws(() => loadConfig({ SPIRITSTREAM_KEY_ENV_ALLOW: list }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.variable, "SPIRITSTREAM_KEY_ENV_ALLOW");
      assert.match(error.message, rule);
      return true;
    });
  }
});

Deno.test("loadConfig() reads the pinned FFmpeg download and wants its URL and SHA-256 together", () => {
  assert.equal(loadConfig({}).ffmpegDownload, null, "no download configured: downloads are off");
  const sha = "AB".repeat(32);
  const config = loadConfig({
    SPIRITSTREAM_FFMPEG_DOWNLOAD_URL: "https://example.com/ffmpeg-7.1-linux64.tar.xz",
    SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256: sha,
    SPIRITSTREAM_FFMPEG_DOWNLOAD_VERSION: "7.1",
  });
  assert.deepEqual(config.ffmpegDownload, {
    url: "https://example.com/ffmpeg-7.1-linux64.tar.xz",
    sha256: sha.toLowerCase(),
    version: "7.1",
  });
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_FFMPEG_DOWNLOAD_URL: "https://example.com/f.tar.xz" }),
    /Invalid SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256: must be set together/,
  );
  assert.throws(
    () =>
      loadConfig({
        SPIRITSTREAM_FFMPEG_DOWNLOAD_URL: "http://example.com/f.tar.xz",
        SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256: sha,
      }),
    /Invalid SPIRITSTREAM_FFMPEG_DOWNLOAD_URL/,
  );
  assert.throws(
    () =>
      loadConfig({
        SPIRITSTREAM_FFMPEG_DOWNLOAD_URL: "https://example.com/f.tar.xz",
        SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256: "abc",
      }),
    /Invalid SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256: must be 64 hex digits/,
  );
});

Deno.test("loadConfig() reads SPIRITSTREAM_LOG_FORMAT (auto by default) and SPIRITSTREAM_CA_FILE", () => {
  const plain = loadConfig({ HOME: "/home/ada" }, { os: "linux" });
  assert.equal(plain.logFormat, "auto");
  assert.equal(plain.caFile, null);
  const set = loadConfig({ SPIRITSTREAM_LOG_FORMAT: "json", SPIRITSTREAM_CA_FILE: "/etc/ca.pem" });
  assert.equal(set.logFormat, "json");
  assert.equal(set.caFile, "/etc/ca.pem");
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_LOG_FORMAT: "xml" }),
    /^Error: Invalid SPIRITSTREAM_LOG_FORMAT|SPIRITSTREAM_LOG_FORMAT/,
  );
});

Deno.test("loadConfig() reads SPIRITSTREAM_TARGET_MAX_LAG_MS (2000 by default) and names the rule it breaks", () => {
  assert.equal(loadConfig({ HOME: "/home/ada" }, { os: "linux" }).targetMaxLagMs, 2000);
  assert.equal(loadConfig({ SPIRITSTREAM_TARGET_MAX_LAG_MS: "3500" }).targetMaxLagMs, 3500);
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_TARGET_MAX_LAG_MS: "50" }),
    /Invalid SPIRITSTREAM_TARGET_MAX_LAG_MS: must be at least 200/,
  );
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_TARGET_MAX_LAG_MS: "2s" }),
    /Invalid SPIRITSTREAM_TARGET_MAX_LAG_MS/,
  );
});

Deno.test("loadConfig() reads SPIRITSTREAM_WORKER_MAX_TENANTS (no limit by default) and names the rule it breaks", () => {
  assert.equal(loadConfig({ HOME: "/home/ada" }, { os: "linux" }).workerMaxTenants, null);
  assert.equal(loadConfig({ SPIRITSTREAM_WORKER_MAX_TENANTS: "20" }).workerMaxTenants, 20);
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_WORKER_MAX_TENANTS: "0" }),
    /^ConfigError: Invalid SPIRITSTREAM_WORKER_MAX_TENANTS: must be at least 1$/,
  );
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_WORKER_MAX_TENANTS: "ten" }),
    /Invalid SPIRITSTREAM_WORKER_MAX_TENANTS: must be an integer from 1 to 10000/,
  );
  assert.throws(
    () => loadConfig({ SPIRITSTREAM_WORKER_MAX_TENANTS: "20000" }),
    /Invalid SPIRITSTREAM_WORKER_MAX_TENANTS: must be at most 10000/,
  );
});
