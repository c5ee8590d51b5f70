import assert from "node:assert/strict";
import { COMMANDS, SPIRITSTREAM_COMMANDS } from "@spiritstream/contracts";
import { type Bus, createMemoryBus } from "@spiritstream/bus";
import { createLogger, type Logger, openRootKeys } from "@spiritstream/kit";
import { openSqlite } from "@spiritstream/store/sqlite";
import { startProfilesService } from "@spiritstream/profiles";
import { startEncoderService } from "@spiritstream/encoder";
import { startEventsService } from "@spiritstream/events";
import { startAuthService } from "@spiritstream/auth";
import { createGateway, type GatewaySettings } from "./app.ts";
import { createBusAuthenticator } from "./bus_authenticator.ts";
import { createMetrics } from "./metrics.ts";
import { createWsHub } from "./ws_hub.ts";

const SETTINGS: GatewaySettings = {
  corsOrigins: ["http://localhost:*", "http://127.0.0.1:*"],
  rateLimitPerMinute: 10_000,
  bodyLimitBytes: 64 * 1024,
  requestTimeoutMs: 5_000,
  trustProxy: false,
  uiDir: null,
};

interface Harness {
  app: ReturnType<typeof createGateway>;
  bus: Bus;
  logs: string[];
  close(): Promise<void>;
}

async function harness(
  options: { token?: string; settings?: Partial<GatewaySettings>; services?: boolean } = {},
): Promise<Harness> {
  const logs: string[] = [];
  const logger: Logger = createLogger({
    level: "debug",
    destination: { write: (l) => void logs.push(l) },
  });
  const bus = createMemoryBus();
  const dir = await Deno.makeTempDir();
  const db = openSqlite(`${dir}/profiles.db`);
  const eventsDb = openSqlite(`${dir}/events.db`);
  const authDb = openSqlite(`${dir}/auth.db`);
  const services = options.services === false ? [] : [
    await startProfilesService({
      bus,
      db,
      logger,
      rootKeys: await openRootKeys({ kind: "machine_file", path: `${dir}/secrets.key` }),
      dataDir: dir,
      homeDir: null,
    }),
    await startEncoderService({ bus, logger, config: { ffmpegPath: null, dataDir: dir } }),
    await startEventsService({ bus, db: eventsDb, logger, dataDir: dir }),
    await startAuthService({ bus, db: authDb, logger, apiToken: options.token ?? null }),
  ];
  const metrics = createMetrics();
  const hub = createWsHub(bus, { logger });
  await hub.ready;
  const auth = createBusAuthenticator(bus, {
    mode: "token",
    required: options.token !== undefined,
    logger,
  });
  await auth.ready;
  const app = createGateway({
    bus,
    logger,
    metrics,
    hub,
    auth,
    catalogue: COMMANDS,
    settings: { ...SETTINGS, ...options.settings },
  });
  return {
    app,
    bus,
    logs,
    async close() {
      await hub.close();
      await auth.close();
      for (const s of services) await s.close();
      for (const d of [db, eventsDb, authDb]) await d.close();
      await bus.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function invoke(
  h: Harness,
  command: string,
  body: unknown = {},
  headers: Record<string, string> = {},
) {
  return h.app.request(`/api/invoke/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

Deno.test("gateway /health answers 200 {ok:true}", async () => {
  const h = await harness();
  try {
    const res = await h.app.request("/health");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true });
  } finally {
    await h.close();
  }
});

Deno.test("gateway invoke get_settings answers the defaults in the envelope", async () => {
  const h = await harness();
  try {
    const res = await invoke(h, "get_settings");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.ok, true);
    assert.equal(body.error, null);
    assert.equal(body.data.logRetentionDays, 30);
    assert.equal(body.data.lastProfile, null);
  } finally {
    await h.close();
  }
});

Deno.test("gateway invoke save_settings persists and get_settings reads it back", async () => {
  const h = await harness();
  try {
    const settings = {
      startMinimized: true,
      ffmpegPath: "",
      autoDownloadFfmpeg: false,
      logRetentionDays: 7,
      lastProfile: "Main Show",
    };
    const saved = await invoke(h, "save_settings", { settings });
    assert.equal(saved.status, 200);
    assert.deepEqual(await saved.json(), { ok: true, data: null, error: null });
    const body = await (await invoke(h, "get_settings", {})).json();
    assert.deepEqual(body.data, settings);
  } finally {
    await h.close();
  }
});

Deno.test("gateway invoke rejects an unknown command with a 400 envelope", async () => {
  const h = await harness();
  try {
    const res = await invoke(h, "launch_rockets");
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      ok: false,
      data: null,
      error: "Unknown command: launch_rockets",
    });
  } finally {
    await h.close();
  }
});

Deno.test("gateway invoke names the malformed argument and the rule", async () => {
  const h = await harness();
  try {
    const res = await invoke(h, "load_profile", { name: 5 });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.ok, false);
    assert.match(body.error, /"name"/);
    assert.match(body.error, /string/i);
    const missing = await (await invoke(h, "save_settings", {})).json();
    assert.match(missing.error, /"settings"/);
  } finally {
    await h.close();
  }
});

Deno.test("gateway invoke answers a body that is not JSON with a 400 envelope", async () => {
  const h = await harness();
  try {
    for (const body of ["{not json", "[1,2]", "42", '"text"']) {
      const res = await invoke(h, "get_settings", body);
      assert.equal(res.status, 400, body);
      const envelope = await res.json();
      assert.equal(envelope.ok, false);
      assert.match(envelope.error, /^Invalid payload: /);
    }
  } finally {
    await h.close();
  }
});

Deno.test("gateway invoke answers an honest 400 for commands whose issue has not landed", async () => {
  const h = await harness();
  try {
    const res = await invoke(h, "get_theme_tokens", { themeId: "spirit-dark" });
    const body = await res.json();
    if (res.status === 400 && /^Not implemented yet/.test(body.error)) {
      assert.equal(body.error, "Not implemented yet: get_theme_tokens");
    } else {
      assert.equal(res.status, 200, "a landed command answers 200");
    }
  } finally {
    await h.close();
  }
});

Deno.test("gateway rejects an oversized body with a 413 envelope", async () => {
  const h = await harness({ settings: { bodyLimitBytes: 2048 } });
  try {
    const res = await invoke(h, "get_settings", { pad: "x".repeat(10_000) });
    assert.equal(res.status, 413);
    const body = await res.json();
    assert.equal(body.ok, false);
    assert.match(body.error, /too large/);
  } finally {
    await h.close();
  }
});

Deno.test("gateway rate-limits per client with a 429 envelope", async () => {
  const h = await harness({ settings: { rateLimitPerMinute: 3 } });
  try {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await invoke(h, "get_settings")).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const res = await invoke(h, "get_settings");
    assert.ok(Number(res.headers.get("retry-after")) >= 1);
    assert.equal((await res.json()).error, "Rate limit exceeded. Please try again later.");
    assert.equal((await h.app.request("/health")).status, 200, "/health is never limited");
  } finally {
    await h.close();
  }
});

Deno.test("gateway with a token: 401 without credentials, Bearer and login cookie work, forged cookie does not", async () => {
  const token = "s3cret-token-for-tests";
  const h = await harness({ token });
  try {
    assert.equal((await invoke(h, "get_settings")).status, 401);
    const forged = await invoke(h, "get_settings", {}, { cookie: "spiritstream_session=anything" });
    assert.equal(forged.status, 401);
    assert.equal((await forged.json()).error, "Authentication required");
    const bearer = await invoke(h, "get_settings", {}, { authorization: `Bearer ${token}` });
    assert.equal(bearer.status, 200);
    const bad = await h.app.request("/auth/login", {
      method: "POST",
      body: JSON.stringify({ token: "nope" }),
    });
    assert.deepEqual(await bad.json(), { ok: false, error: "Invalid token" });
    const login = await h.app.request("/auth/login", {
      method: "POST",
      body: JSON.stringify({ token }),
    });
    const cookie = login.headers.get("set-cookie") ?? "";
    assert.match(cookie, /spiritstream_session=[^;]{32,}/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const session = cookie.split(";")[0]!;
    assert.equal((await invoke(h, "get_settings", {}, { cookie: session })).status, 200);
    const check = await (await h.app.request("/auth/check", { headers: { cookie: session } }))
      .json();
    assert.deepEqual(check, { authenticated: true, required: true, mode: "token" });
    await h.app.request("/auth/logout", { method: "POST", headers: { cookie: session } });
    assert.equal((await invoke(h, "get_settings", {}, { cookie: session })).status, 401);
    assert.equal((await h.app.request("/health")).status, 200);
    assert.ok(!h.logs.join("\n").includes(token), "the token never reaches the logs");
  } finally {
    await h.close();
  }
});

Deno.test("gateway /auth/check reports an open host when no token is set", async () => {
  const h = await harness();
  try {
    assert.deepEqual(await (await h.app.request("/auth/check")).json(), {
      authenticated: true,
      required: false,
      mode: "token",
    });
  } finally {
    await h.close();
  }
});

Deno.test("gateway CORS echoes allowed origins with credentials and ignores others", async () => {
  const h = await harness();
  try {
    const allowed = await h.app.request("/health", {
      headers: { origin: "http://127.0.0.1:4173" },
    });
    assert.equal(allowed.headers.get("access-control-allow-origin"), "http://127.0.0.1:4173");
    assert.equal(allowed.headers.get("access-control-allow-credentials"), "true");
    const denied = await h.app.request("/health", { headers: { origin: "http://evil.example" } });
    assert.equal(denied.headers.get("access-control-allow-origin"), null);
    const portless = await h.app.request("/health", { headers: { origin: "http://localhost" } });
    assert.equal(portless.headers.get("access-control-allow-origin"), null);
  } finally {
    await h.close();
  }
});

Deno.test("gateway /metrics is Prometheus text with per-command counters and latency", async () => {
  const h = await harness();
  try {
    await invoke(h, "get_settings");
    await invoke(h, "nope");
    const res = await h.app.request("/metrics");
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    const text = await res.text();
    assert.match(text, /spiritstream_invoke_total\{command="get_settings",outcome="ok"\} 1/);
    assert.match(
      text,
      /spiritstream_invoke_total\{command="unknown",outcome="unknown_command"\} 1/,
    );
    assert.match(
      text,
      /spiritstream_invoke_duration_seconds_bucket\{le="0.005",command="get_settings"\}/,
    );
    assert.match(text, /spiritstream_ws_clients 0/);
    const sample = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1]);
    assert.ok(sample("spiritstream_process_resident_memory_bytes") > 1_000_000);
    assert.ok(sample("spiritstream_process_cpu_seconds_total") > 0);
    assert.ok(sample("spiritstream_process_start_time_seconds") > 1_600_000_000);
  } finally {
    await h.close();
  }
});

Deno.test("gateway /ready is 200 with every service up and 503 naming what is missing", async () => {
  const up = await harness();
  try {
    const res = await up.app.request("/ready");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ready: true });
  } finally {
    await up.close();
  }
  const down = await harness({ services: false });
  try {
    const res = await down.app.request("/ready");
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.ready, false);
    assert.deepEqual(body.failed, ["auth", "encoder", "events", "profiles"]);
  } finally {
    await down.close();
  }
});

Deno.test("gateway /api/openapi.json lists every SpiritStream command", async () => {
  const h = await harness();
  try {
    const doc = await (await h.app.request("/api/openapi.json")).json();
    assert.match(doc.openapi, /^3\.1/);
    for (const name of SPIRITSTREAM_COMMANDS) assert.ok(doc.paths[`/api/invoke/${name}`], name);
  } finally {
    await h.close();
  }
});

Deno.test("gateway sets security headers and a request id", async () => {
  const h = await harness();
  try {
    const res = await h.app.request("/health");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.match(res.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
    assert.match(res.headers.get("x-request-id") ?? "", /^[\w-]{8,}$/);
  } finally {
    await h.close();
  }
});
