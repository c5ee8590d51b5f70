import assert from "node:assert/strict";
import {
  AppError,
  AUTH_REVOKED_SIGNAL,
  type AuthRpc,
  authSubject,
  COMMANDS,
  LOCAL_TENANT,
  LoginReply,
  type RequestMeta,
  ResolveReply,
  RevokedSignal,
  signalSubject,
  SigningKeys,
  TokenReply,
} from "@spiritstream/contracts";
import { type Bus, callCommand, createMemoryBus } from "@spiritstream/bus";
import { createLogger } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { hashSecret } from "./secrets.ts";
import { type AuthServiceDeps, setupTokenLine, startAuthService } from "./service.ts";

interface Harness {
  bus: Bus;
  db: Db;
  logs: string[];
  printed: string[];
  signals: RevokedSignal[];
  restart(extra?: Partial<AuthServiceDeps>): Promise<void>;
  close(): Promise<void>;
}

async function harness(extra: Partial<AuthServiceDeps> = {}): Promise<Harness> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-auth-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/auth.db`);
  const logs: string[] = [];
  const printed: string[] = [];
  const signals: RevokedSignal[] = [];
  const logger = createLogger({ level: "debug", destination: { write: (l) => void logs.push(l) } });
  const subscription = bus.subscribe(
    signalSubject(AUTH_REVOKED_SIGNAL),
    (data) => void signals.push(RevokedSignal.parse(data)),
  );
  await subscription.ready;
  const start = (more: Partial<AuthServiceDeps>) =>
    startAuthService({ bus, db, logger, printSetupToken: (t) => void printed.push(t), ...more });
  let service = await start(extra);
  return {
    bus,
    db,
    logs,
    printed,
    signals,
    async restart(more = {}) {
      await service.close();
      service = await start({ ...extra, ...more });
    },
    async close() {
      await service.close();
      await subscription.close();
      await bus.close();
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function rpc(h: Harness, name: AuthRpc, body: unknown): Promise<unknown> {
  return h.bus.request(authSubject(name), body);
}

async function login(h: Harness, body: unknown, client = "10.0.0.1") {
  return LoginReply.parse(await rpc(h, "login", { body, client }));
}

async function resolve(h: Harness, kind: "session" | "token", secret: string) {
  return ResolveReply.parse(await rpc(h, "resolve", { kind, secret })).principal;
}

function meta(tenantId: string, userId: string | null, role: RequestMeta["role"]): RequestMeta {
  return { requestId: "req-1", tenantId, userId, role, ip: "10.0.0.9", via: "session" };
}

function call<K extends keyof typeof COMMANDS>(
  h: Harness,
  name: K,
  args: unknown,
  who: RequestMeta,
) {
  // deno-lint-ignore no-explicit-any
  return callCommand(h.bus, COMMANDS[name], { meta: who, args: args as any });
}

function code(expected: string, pattern?: RegExp) {
  return (error: unknown) =>
    error instanceof AppError && error.code === expected &&
    (!pattern || pattern.test(error.message));
}

const TOKEN = "shared-token-for-tests";
const ADMIN = { email: "admin@example.com", password: "correct horse battery" };

Deno.test("startAuthService() token mode: shared token, real sessions, logout revokes and signals", async () => {
  const h = await harness({ mode: "token", apiToken: TOKEN });
  try {
    assert.deepEqual(await resolve(h, "token", TOKEN), {
      tenantId: LOCAL_TENANT,
      userId: null,
      role: "admin",
      via: "shared_token",
      email: null,
      tokenId: null,
      hostOperator: true,
    });
    assert.equal(await resolve(h, "token", `${TOKEN}x`), null);
    assert.equal(
      await resolve(h, "session", "forged-session-id"),
      null,
      "a cookie must be issued by us",
    );
    assert.equal(await resolve(h, "session", TOKEN), null, "the token is not a session id");

    const wrong = await login(h, { token: "nope" });
    assert.deepEqual(wrong, {
      ok: false,
      error: "Invalid token",
      invalid: false,
      locked: false,
      retryAfterMs: 0,
    });
    const malformed = await login(h, { email: "a@b.c", password: "xxxxxxxx" });
    assert.equal(malformed.ok, false);
    assert.equal(
      !malformed.ok && malformed.invalid,
      true,
      "a users-mode body is malformed in token mode",
    );

    const ok = await login(h, { token: TOKEN });
    assert.ok(ok.ok);
    assert.ok(ok.sessionId.length >= 40);
    assert.equal(ok.maxAgeSecs, 7 * 24 * 3600);
    assert.equal((await resolve(h, "session", ok.sessionId))?.via, "session");
    const stored = await h.db.query<{ hash: string }>("SELECT hash FROM auth_sessions");
    assert.deepEqual(
      stored.map((r) => r.hash),
      [await hashSecret(ok.sessionId)],
      "only the hash is stored",
    );

    await rpc(h, "logout", { sessionId: ok.sessionId, client: "10.0.0.1" });
    assert.equal(await resolve(h, "session", ok.sessionId), null);
    assert.ok(h.signals.some((s) => s.hashes.includes(stored[0]!.hash)), "logout signals the hash");

    const audit = await call(h, "get_audit_log", {}, meta(LOCAL_TENANT, null, "admin"));
    assert.deepEqual(audit.map((e) => e.action), ["logout", "login", "login_failed"]);
    assert.equal(audit[2]!.ip, "10.0.0.1");
    assert.ok(!h.logs.join("\n").includes(TOKEN), "the token never reaches the logs");
    assert.ok(!h.logs.join("\n").includes(ok.sessionId), "nor does the session id");
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() token mode without a token refuses every credential", async () => {
  const h = await harness({ mode: "token", apiToken: null });
  try {
    assert.equal(await resolve(h, "token", "anything-at-all"), null);
    const reply = await login(h, { token: "anything-at-all" });
    assert.equal(reply.ok, false);
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() users mode prints a setup token once; setup creates the first admin", async () => {
  const h = await harness({ mode: "users" });
  try {
    assert.equal(h.printed.length, 1);
    const setupToken = h.printed[0]!;
    assert.match(setupToken, /^setup_[\w-]{40,}$/);
    assert.ok(!h.logs.join("\n").includes(setupToken), "the setup token is not logged");

    const body = { setupToken, email: "Boss@Example.com", password: "a strong passphrase" };
    const wrong = LoginReply.parse(
      await rpc(h, "setup", { body: { ...body, setupToken: "guess" }, client: "c" }),
    );
    assert.deepEqual(!wrong.ok && wrong.error, "Invalid setup token");
    const weak = LoginReply.parse(
      await rpc(h, "setup", { body: { ...body, password: "short" }, client: "c" }),
    );
    assert.match(!weak.ok ? weak.error : "", /"password".*at least 8/);

    const done = LoginReply.parse(await rpc(h, "setup", { body, client: "c" }));
    assert.ok(done.ok);
    assert.equal(done.principal.role, "admin");
    assert.equal(done.principal.email, "boss@example.com");
    assert.equal(done.principal.tenantId, LOCAL_TENANT);
    const again = LoginReply.parse(await rpc(h, "setup", { body, client: "c" }));
    assert.match(!again.ok ? again.error : "", /already done/);

    await h.restart();
    assert.equal(h.printed.length, 1, "no new setup token once a user exists");
    const relogin = await login(h, { email: "boss@example.com", password: "a strong passphrase" });
    assert.ok(relogin.ok);
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() users mode: SPIRITSTREAM_SETUP_TOKEN is accepted and not printed", async () => {
  const h = await harness({ mode: "users", setupToken: "operator-chosen-setup-token" });
  try {
    assert.deepEqual(h.printed, []);
    const reply = LoginReply.parse(
      await rpc(h, "setup", {
        body: {
          setupToken: "operator-chosen-setup-token",
          email: "a@b.io",
          password: "p4ssw0rd!!",
        },
        client: "c",
      }),
    );
    assert.ok(reply.ok);
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() users mode: login, access tokens, refresh rotation and reuse detection", async () => {
  const h = await harness({ mode: "users", admin: ADMIN });
  try {
    assert.deepEqual(h.printed, [], "the admin came from the environment");
    const bad = await login(h, { email: ADMIN.email, password: "wrong password" });
    assert.deepEqual(!bad.ok && bad.error, "Invalid email or password");
    const unknown = await login(h, { email: "ghost@example.com", password: "whatever1" });
    assert.deepEqual(
      !unknown.ok && unknown.error,
      "Invalid email or password",
      "same answer either way",
    );
    const ok = await login(h, { email: "ADMIN@example.com", password: ADMIN.password }, "10.0.0.2");
    assert.ok(ok.ok);
    assert.equal((await resolve(h, "session", ok.sessionId))?.role, "admin");

    const pair = TokenReply.parse(await rpc(h, "token", { body: ADMIN, client: "10.0.0.2" }));
    assert.ok(pair.ok);
    assert.equal(pair.tokenType, "Bearer");
    assert.equal(pair.expiresIn, 900);
    assert.equal(pair.accessToken.split(".").length, 3);
    const keys = SigningKeys.parse(await rpc(h, "keys", {}));
    assert.equal(keys.keys.length, 1);
    assert.equal(keys.keys[0]!.jwk.crv, "Ed25519");

    const next = TokenReply.parse(
      await rpc(h, "refresh", { body: { refreshToken: pair.refreshToken }, client: "x" }),
    );
    assert.ok(next.ok);
    assert.notEqual(next.refreshToken, pair.refreshToken, "refresh tokens rotate");
    const replay = TokenReply.parse(
      await rpc(h, "refresh", { body: { refreshToken: pair.refreshToken }, client: "x" }),
    );
    assert.deepEqual(!replay.ok && replay.error, "Invalid refresh token");
    const afterReplay = TokenReply.parse(
      await rpc(h, "refresh", { body: { refreshToken: next.refreshToken }, client: "y" }),
    );
    assert.equal(afterReplay.ok, false, "a replay ends the whole family");
    const audit = await call(h, "get_audit_log", { limit: 3 }, meta(LOCAL_TENANT, null, "admin"));
    assert.ok(audit.some((e) => e.action === "refresh_reused" && e.outcome === "error"));
    const rows = await h.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM auth_users WHERE password_hash LIKE '$argon2id$%'",
    );
    assert.equal(Number(rows[0]!.n), 1, "passwords are stored as Argon2id hashes");
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() locks a client out after repeated failures, with growing waits", async () => {
  const h = await harness({ mode: "token", apiToken: TOKEN, failures: { free: 2, baseMs: 300 } });
  try {
    const waits = [];
    for (let i = 0; i < 3; i++) {
      const reply = await login(h, { token: `wrong-${i}` }, "10.9.9.9");
      waits.push(!reply.ok ? reply.retryAfterMs : -1);
    }
    assert.deepEqual(waits, [0, 0, 300]);
    const locked = await login(h, { token: TOKEN }, "10.9.9.9");
    assert.equal(locked.ok, false, "even the right token waits out the lock");
    assert.equal(!locked.ok && locked.locked, true);
    assert.match(!locked.ok ? locked.error : "", /Too many failed attempts: try again in 1 s/);
    assert.equal(
      (await login(h, { token: TOKEN }, "10.8.8.8")).ok,
      true,
      "other clients are not affected",
    );
    await new Promise((r) => setTimeout(r, 350));
    const fourth = await login(h, { token: "wrong-3" }, "10.9.9.9");
    assert.equal(!fourth.ok && fourth.retryAfterMs, 600, "the wait doubles");
    await new Promise((r) => setTimeout(r, 650));
    assert.equal((await login(h, { token: TOKEN }, "10.9.9.9")).ok, true);
    const after = await login(h, { token: "wrong-again" }, "10.9.9.9");
    assert.equal(!after.ok && after.retryAfterMs, 0, "a success starts the count over");
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() API tokens: default role, secret shown once, tenant-scoped revocation with a signal", async () => {
  const h = await harness({ mode: "users", admin: ADMIN });
  try {
    const admin = meta(LOCAL_TENANT, null, "admin");
    const created = await call(h, "create_api_token", {
      name: "ci",
      role: "viewer",
      expiresInDays: 30,
    }, admin);
    assert.match(created.token, /^sst_[\w-]{40,}$/);
    assert.equal(created.prefix, created.token.slice(0, 10));
    assert.equal(created.role, "viewer");
    assert.ok(created.expiresAt! > Date.now() + 29 * 86_400_000);
    const listed = await call(h, "list_api_tokens", {}, admin);
    assert.equal(listed.length, 1);
    assert.ok(!JSON.stringify(listed).includes(created.token), "the list never shows the secret");
    assert.equal((await resolve(h, "token", created.token))?.via, "api_token");
    assert.equal((await resolve(h, "token", created.token))?.role, "viewer");

    const adminToken = await call(h, "create_api_token", { name: "deploy" }, admin);
    assert.equal(adminToken.role, "admin", "the role defaults to the caller's");
    assert.equal(adminToken.expiresAt, null);
    const operator = meta(LOCAL_TENANT, "u-op", "operator");
    await assert.rejects(
      call(h, "create_api_token", { name: "x" }, operator),
      code("permission_denied"),
    );

    await assert.rejects(
      call(h, "revoke_api_token", { id: created.id }, meta("other", null, "admin")),
      code("not_found"),
    );
    assert.equal(
      (await resolve(h, "token", created.token))?.role,
      "viewer",
      "another tenant cannot revoke it",
    );
    await call(h, "revoke_api_token", { id: created.id }, admin);
    assert.equal(await resolve(h, "token", created.token), null);
    const hash = await hashSecret(created.token);
    assert.ok(
      h.signals.some((s) => s.hashes.includes(hash)),
      "revocation carries the token's hash",
    );
    assert.deepEqual((await call(h, "list_api_tokens", {}, admin)).map((t) => t.id), [
      adminToken.id,
    ]);
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() API tokens work in a mode only where that mode lists and revokes them", async () => {
  const h = await harness({ mode: "token", apiToken: TOKEN });
  try {
    const shared = { ...meta(LOCAL_TENANT, null, "admin"), via: "shared_token" as const };
    const fromTokenMode = await call(h, "create_api_token", { name: "token-mode" }, shared);
    await h.restart({ mode: "users", admin: ADMIN });
    const localAdmin = meta(LOCAL_TENANT, null, "admin");
    assert.deepEqual((await call(h, "list_api_tokens", {}, localAdmin)).map((t) => t.name), [
      "token-mode",
    ], "a token made under the shared token is listed in users mode");
    assert.equal((await resolve(h, "token", fromTokenMode.token))?.tenantId, LOCAL_TENANT);
    const otherTenant = await call(
      h,
      "create_api_token",
      { name: "acme" },
      meta("acme", null, "admin"),
    );
    assert.equal((await resolve(h, "token", otherTenant.token))?.tenantId, "acme");

    await h.restart({ mode: "token", apiToken: TOKEN });
    assert.deepEqual(
      (await call(h, "list_api_tokens", {}, shared)).map((t) => t.name),
      ["token-mode"],
      "token mode lists its one tenant's tokens",
    );
    assert.equal(
      await resolve(h, "token", otherTenant.token),
      null,
      "another tenant's token, which token mode can neither list nor revoke, does not work there",
    );
    await call(h, "revoke_api_token", { id: fromTokenMode.id }, shared);
    assert.equal(await resolve(h, "token", fromTokenMode.token), null);
  } finally {
    await h.close();
  }
});

Deno.test("startAuthService() users: tenant-scoped admin commands, last admin kept, disable ends sessions", async () => {
  const h = await harness({ mode: "users", admin: ADMIN });
  try {
    const [first] = await call(h, "list_users", {}, meta(LOCAL_TENANT, null, "admin"));
    assert.equal(first?.email, ADMIN.email);
    const admin = meta(LOCAL_TENANT, first!.id, "admin");
    const whoami = await call(h, "auth_whoami", {}, admin);
    assert.deepEqual(whoami, {
      tenantId: LOCAL_TENANT,
      userId: first!.id,
      email: ADMIN.email,
      role: "admin",
      via: "session",
      hostOperator: false,
    });
    const viewer = await call(h, "create_user", {
      email: "Viewer@Example.com",
      password: "viewer-pass",
      role: "viewer",
    }, admin);
    assert.equal(viewer.email, "viewer@example.com");
    assert.ok(!("passwordHash" in viewer));
    await assert.rejects(
      call(h, "create_user", {
        email: "viewer@example.com",
        password: "another-pass",
        role: "viewer",
      }, admin),
      code("conflict", /"email": already in use/),
    );
    await assert.rejects(
      call(h, "list_users", {}, meta(LOCAL_TENANT, viewer.id, "viewer")),
      code("permission_denied"),
    );
    assert.deepEqual(
      await call(h, "list_users", {}, meta("tenant-b", null, "admin")),
      [],
      "tenants are separate",
    );
    await assert.rejects(
      call(h, "delete_user", { userId: viewer.id }, meta("tenant-b", null, "admin")),
      code("not_found"),
    );

    await assert.rejects(
      call(h, "update_user", { userId: first!.id, role: "viewer" }, admin),
      code("failed_precondition", /last admin/),
    );
    await assert.rejects(
      call(h, "delete_user", { userId: first!.id }, admin),
      code("failed_precondition"),
    );

    const session = await login(h, { email: "viewer@example.com", password: "viewer-pass" });
    assert.ok(session.ok);
    assert.equal((await resolve(h, "session", session.sessionId))?.role, "viewer");
    const promoted = await call(h, "update_user", { userId: viewer.id, role: "operator" }, admin);
    assert.equal(promoted.role, "operator");
    assert.equal(
      (await resolve(h, "session", session.sessionId))?.role,
      "operator",
      "roles apply at once",
    );
    assert.ok(
      h.signals.some((s) => s.userIds.includes(viewer.id)),
      "a role change drops cached principals",
    );
    await call(h, "update_user", { userId: viewer.id, disabled: true }, admin);
    assert.equal(await resolve(h, "session", session.sessionId), null, "disabling ends sessions");
    const blocked = await login(h, { email: "viewer@example.com", password: "viewer-pass" });
    assert.equal(blocked.ok, false);
    await call(h, "delete_user", { userId: viewer.id }, admin);
    assert.equal((await call(h, "list_users", {}, admin)).length, 1);
  } finally {
    await h.close();
  }
});

Deno.test("setupTokenLine() says where to enter the token and how to find the line in each mode", () => {
  const line = setupTokenLine("setup_abc123");
  assert.match(line, /^SpiritStream setup token: setup_abc123 /);
  assert.match(line, /"Create the first admin"/);
  assert.match(line, /`deno task start` \(stderr\)/);
  assert.match(line, /`docker compose logs auth`/);
  assert.match(line, /`kubectl -n spiritstream logs deploy\/auth`/);
  assert.equal(line.split("\n").length, 2, "one line");
});
