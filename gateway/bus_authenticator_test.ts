import assert from "node:assert/strict";
import {
  AUTH_REVOKED_SIGNAL,
  authSubject,
  LOCAL_TENANT,
  LoginReply,
  signalSubject,
  TokenReply,
} from "@spiritstream/contracts";
import { type Bus, createMemoryBus, type HostedService } from "@spiritstream/bus";
import { createLogger } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { type AuthServiceDeps, startAuthService } from "@spiritstream/auth";
import { type BusAuthenticatorOptions, createBusAuthenticator } from "./bus_authenticator.ts";

const TOKEN = "bus-authenticator-token";
const logger = createLogger({ level: "fatal" });

/** The real auth service on a memory bus, plus a view of the bus that counts requests by subject. */
async function setup(deps: Partial<AuthServiceDeps>) {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-busauth-" });
  const bus = createMemoryBus();
  const db: Db = openSqlite(`${dir}/auth.db`);
  const service: HostedService = await startAuthService({ bus, db, logger, ...deps });
  const requests: string[] = [];
  const counted: Bus = {
    ...bus,
    request(subject, data, options) {
      requests.push(subject);
      return bus.request(subject, data, options);
    },
  };
  return {
    bus,
    requests,
    authenticator(options: Partial<BusAuthenticatorOptions> = {}) {
      return createBusAuthenticator(counted, {
        mode: deps.mode ?? "token",
        required: true,
        logger,
        ...options,
      });
    },
    async close() {
      await service.close();
      await bus.close();
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("createBusAuthenticator() caches answers briefly and asks once for concurrent requests", async () => {
  const s = await setup({ mode: "token", apiToken: TOKEN });
  const auth = s.authenticator({ cacheMs: 200, negativeCacheMs: 100 });
  try {
    await auth.ready;
    const principals = await Promise.all(
      Array.from({ length: 10 }, () => auth.authenticate({ bearer: TOKEN })),
    );
    assert.ok(principals.every((p) => p?.via === "shared_token" && p.tenantId === LOCAL_TENANT));
    assert.equal(await auth.authenticate({ bearer: "wrong-token" }), null);
    assert.equal(await auth.authenticate({ bearer: "wrong-token" }), null);
    const resolves = () => s.requests.filter((r) => r === authSubject("resolve")).length;
    assert.equal(
      resolves(),
      2,
      "one request for ten concurrent lookups, one for the unknown token",
    );
    await new Promise((r) => setTimeout(r, 250));
    await auth.authenticate({ bearer: TOKEN });
    assert.equal(resolves(), 3, "an expired cache entry is asked again (a lost signal is bounded)");
  } finally {
    await auth.close();
    await s.close();
  }
});

Deno.test("createBusAuthenticator() drops cached credentials on the revocation signal", async () => {
  const s = await setup({ mode: "token", apiToken: TOKEN });
  const auth = s.authenticator({ cacheMs: 60_000 });
  const other = s.authenticator({ cacheMs: 60_000 });
  try {
    await Promise.all([auth.ready, other.ready]);
    const login = LoginReply.parse(
      await s.bus.request(authSubject("login"), { body: { token: TOKEN }, client: "c" }),
    );
    assert.ok(login.ok);
    assert.equal((await auth.authenticate({ sessionId: login.sessionId }))?.via, "session");
    assert.equal((await other.authenticate({ sessionId: login.sessionId }))?.via, "session");
    await auth.logout(login.sessionId, "c");
    assert.equal(await auth.authenticate({ sessionId: login.sessionId }), null);
    assert.equal(
      await other.authenticate({ sessionId: login.sessionId }),
      null,
      "the other replica heard the signal",
    );

    const before = s.requests.length;
    await other.authenticate({ bearer: TOKEN });
    await s.bus.publish(signalSubject(AUTH_REVOKED_SIGNAL), { time: Date.now(), all: true });
    await other.authenticate({ bearer: TOKEN });
    assert.equal(s.requests.length - before, 2, "`all` empties the cache");
  } finally {
    await auth.close();
    await other.close();
    await s.close();
  }
});

Deno.test("createBusAuthenticator() verifies access tokens locally and refuses a revoked user's", async () => {
  const admin = { email: "admin@example.com", password: "admin-passphrase" };
  const s = await setup({ mode: "users", admin });
  const auth = s.authenticator({ mode: "users" });
  try {
    await auth.ready;
    const pair = TokenReply.parse(
      await s.bus.request(authSubject("token"), { body: admin, client: "c" }),
    );
    assert.ok(pair.ok);
    const principal = await auth.authenticate({ bearer: pair.accessToken });
    assert.equal(principal?.role, "admin");
    assert.equal(principal?.email, admin.email);
    await auth.authenticate({ bearer: pair.accessToken });
    assert.equal(
      s.requests.filter((r) => r === authSubject("keys")).length,
      1,
      "keys are fetched once",
    );
    assert.equal(
      s.requests.filter((r) => r === authSubject("resolve")).length,
      0,
      "no round trip per call",
    );

    const [h, c, sig] = pair.accessToken.split(".");
    const forged = JSON.parse(atob(c!.replace(/-/g, "+").replace(/_/g, "/")));
    const elevated = btoa(JSON.stringify({ ...forged, tid: "other-tenant" })).replace(/=+$/, "")
      .replace(/\+/g, "-").replace(/\//g, "_");
    assert.equal(
      await auth.authenticate({ bearer: `${h}.${elevated}.${sig}` }),
      null,
      "claims are signed",
    );
    const flipped = sig!.slice(0, 10) + (sig![10] === "A" ? "B" : "A") + sig!.slice(11);
    assert.equal(
      await auth.authenticate({ bearer: `${h}.${c}.${flipped}` }),
      null,
      "signature checked",
    );

    await s.bus.publish(signalSubject(AUTH_REVOKED_SIGNAL), {
      time: Date.now(),
      userIds: [principal!.userId],
    });
    assert.equal(
      await auth.authenticate({ bearer: pair.accessToken }),
      null,
      "issued before the revocation",
    );
  } finally {
    await auth.close();
    await s.close();
  }
});

Deno.test("createBusAuthenticator() on an open host never asks the auth service", async () => {
  const s = await setup({ mode: "token", apiToken: null });
  const auth = s.authenticator({ required: false });
  try {
    const principal = await auth.authenticate({});
    assert.deepEqual(principal, {
      tenantId: LOCAL_TENANT,
      userId: null,
      role: null,
      via: "open",
      email: null,
      tokenId: null,
      hostOperator: true,
    });
    assert.deepEqual(s.requests, []);
  } finally {
    await auth.close();
    await s.close();
  }
});
