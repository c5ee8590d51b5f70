import assert from "node:assert/strict";
import { COMMANDS, LOCAL_TENANT } from "@spiritstream/contracts";
import { fuzzBody, fuzzString, pick, prng, type Rand } from "@spiritstream/testing";
import { type AuthHarness, startAuthHarness } from "./auth_harness.ts";

const KEYS = [
  "token",
  "email",
  "password",
  "refreshToken",
  "setupToken",
  "name",
  "profile",
  "settings",
  "userId",
  "id",
  "role",
  "limit",
  "before",
  "expiresInDays",
  "revealKeys",
  "setActive",
  "orderedNames",
  "groupId",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "",
];
const STRINGS = [
  "",
  " ",
  "admin",
  "viewer",
  "operator",
  "root",
  "a@b.c",
  "ADMIN@EXAMPLE.COM",
  "../../etc/passwd",
  "\u0000",
  "\ud800",
  "🎥配信",
  "'; DROP TABLE auth_users; --",
  "$1",
  "sst_",
  "ssr_",
  "setup_",
  "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln",
  "Bearer x",
  "null",
  "NaN",
  "%00",
  "x".repeat(5000),
];
/** A random body mixing the auth fields with hostile keys, values and non-JSON. */
function randomBody(rand: Rand): string {
  return fuzzBody(rand, KEYS, { objects: true, strings: STRINGS }).text;
}

/** Tokens the fuzzer may present; `reaches` says whether it gets past authentication. */
interface Identity {
  headers: Record<string, string>;
  /** Which services' commands it may send beyond the gateway (others are not running). */
  services: ReadonlySet<string>;
}

async function fuzz(h: AuthHarness, identities: Identity[], seed: number, count: number) {
  const rand = prng(seed);
  const statuses = new Map<number, number>();
  let invokeOk = 0;
  const names = Object.keys(COMMANDS);
  const junkNames = [
    "",
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "../auth/login",
    "%2e%2e",
    "a".repeat(300),
    "命令",
  ];
  for (let i = 0; i < count; i++) {
    const identity = pick(rand, identities);
    const headers: Record<string, string> = { ...identity.headers };
    if (rand() < 0.3) {
      headers["content-type"] = pick(rand, [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=utf-16",
        "",
      ]);
    } else headers["content-type"] = "application/json";
    if (rand() < 0.15) {
      headers.origin = pick(rand, [
        "https://evil.example",
        "null",
        "http://localhost:5173",
        "http://localhost",
        "%%%",
      ]);
    }
    if (rand() < 0.1) {
      const value = rand() < 0.3
        ? pick(rand, ["%E0%A4%A", "%", '"', "a;b", "=", ""])
        : encodeURIComponent(fuzzString(rand, STRINGS).toWellFormed());
      headers.cookie = `spiritstream_session=${value}`;
    }
    let path: string;
    let method = "POST";
    const r = rand();
    if (r < 0.45) {
      path = pick(rand, [
        "/auth/login",
        "/auth/token",
        "/auth/refresh",
        "/auth/setup",
        "/auth/logout",
        "/auth/check",
        "/auth/nope",
      ]);
      if (path === "/auth/check") method = "GET";
    } else {
      let name = rand() < 0.85 ? pick(rand, names) : pick(rand, junkNames);
      const def = Object.hasOwn(COMMANDS, name)
        ? COMMANDS[name as keyof typeof COMMANDS]
        : undefined;
      // Commands of services this harness does not run would only time out: send them without
      // credentials (401 before the bus) or replace them.
      if (def && !identity.services.has(def.service)) name = pick(rand, junkNames);
      path = `/api/invoke/${encodeURIComponent(name)}`;
    }
    const res = await h.app.request(path, {
      method,
      headers,
      body: method === "POST" ? randomBody(rand) : undefined,
    });
    const text = await res.text();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const context = `#${i} ${method} ${path.slice(0, 60)} → ${res.status}: ${text.slice(0, 200)}`;
    assert.ok(res.status < 500, context);
    const parsed = JSON.parse(text);
    if (path.startsWith("/api/invoke/") && res.status !== 429) {
      assert.deepEqual(Object.keys(parsed).sort(), ["data", "error", "ok"], context);
      if (res.status === 200) invokeOk += 1;
    }
  }
  return { statuses, invokeOk };
}

Deno.test("fuzz: thousands of random bodies to /auth/* and /api/invoke never answer 5xx (users mode)", async () => {
  const admin = { email: "admin@example.com", password: "admin-passphrase" };
  const h = await startAuthHarness({ mode: "users", admin, auth: { failures: { free: 1000 } } });
  try {
    await h.provisionUser(LOCAL_TENANT, "viewer@example.com", "viewer-pass", "viewer");
    const viewer = await h.login({ email: "viewer@example.com", password: "viewer-pass" });
    const adminCookie = await h.login(admin);
    const tokenRes = await h.invoke("create_api_token", { name: "fuzz", role: "viewer" }, {
      cookie: adminCookie,
    });
    const apiToken = (await tokenRes.json()).data.token;
    const identities: Identity[] = [
      { headers: {}, services: new Set() },
      { headers: { cookie: "spiritstream_session=forged" }, services: new Set() },
      {
        headers: { authorization: "Bearer eyJhbGciOiJFZERTQSIsImtpZCI6ImsxIn0.e30.AAAA" },
        services: new Set(),
      },
      { headers: { cookie: viewer }, services: new Set(["profiles", "auth"]) },
      { headers: { authorization: `Bearer ${apiToken}` }, services: new Set(["profiles", "auth"]) },
      // Admins only fuzz the auth commands: admin profile commands write files on the host.
      { headers: { cookie: adminCookie }, services: new Set(["auth"]) },
    ];
    const { statuses, invokeOk } = await fuzz(h, identities, 0x5eed, 2500);
    assert.ok(invokeOk > 0, "some random calls were valid and answered");
    assert.ok((statuses.get(401) ?? 0) > 100, "unauthenticated requests were refused");
    assert.ok((statuses.get(400) ?? 0) > 100, "malformed requests were answered 400");
    assert.ok((statuses.get(403) ?? 0) > 10, "viewers were refused admin commands");
    // The service still works afterwards.
    assert.equal(
      (await h.invoke("get_settings", {}, { authorization: `Bearer ${apiToken}` })).status,
      200,
    );
  } finally {
    await h.close();
  }
});

Deno.test("fuzz: random bodies in token mode never answer 5xx and never authenticate", async () => {
  const h = await startAuthHarness({ mode: "token", token: "fuzz-shared-token-1234" });
  try {
    const { statuses, invokeOk } = await fuzz(
      h,
      [{ headers: {}, services: new Set() }],
      0xc0ffee,
      1500,
    );
    assert.equal(invokeOk, 0, "no random credential got a command through");
    assert.ok((statuses.get(401) ?? 0) > 100);
  } finally {
    await h.close();
  }
});
