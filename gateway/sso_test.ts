import assert from "node:assert/strict";
import { openPostgres } from "@spiritstream/store/postgres";
import {
  freePort,
  type OidcProvider,
  startOidcProvider,
  startPostgres,
} from "@spiritstream/testing";
import { createLogger, openRootKeys } from "@spiritstream/kit";
import { startEncoderService } from "@spiritstream/encoder";
import { type AuthHarness, startAuthHarness } from "./auth_harness.ts";

const ADMIN = { email: "admin@example.com", password: "admin-passphrase" };
const CALLBACK = "http://localhost/auth/sso/callback";
const CLIENT = { clientId: "spiritstream", clientSecret: "s3cret-of-the-client" };
const USERS = [
  {
    id: "alice",
    username: "alice",
    name: "Alice",
    email: "alice@acme.test",
    groups: ["streamers"],
  },
  { id: "bob", username: "bob", name: "Bob", email: "bob@acme.test", groups: ["accounting"] },
  { id: "eve", username: "eve", name: "Eve", email: "eve@acme.test", emailVerified: false },
  {
    id: "root",
    username: "root",
    name: "Root",
    email: "root@acme.test",
    groups: ["ops", "admins"],
  },
];

function oidcSettings(issuer: string, extra: Record<string, unknown> = {}) {
  return {
    displayName: "Acme ID",
    issuer,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    scopes: "openid email profile groups",
    groupRoles: [
      { group: "streamers", role: "operator" },
      { group: "admins", role: "admin" },
    ],
    defaultRole: null,
    jit: true,
    ...extra,
  };
}

async function json(res: Response) {
  return await res.json();
}

/** The state cookie `/auth/sso/start` set, as a request header value. */
function stateCookie(res: Response): string {
  const line = res.headers.getSetCookie().find((c) => c.startsWith("spiritstream_sso="));
  assert.ok(line, "start sets the state cookie");
  assert.match(line, /HttpOnly/i);
  assert.match(line, /SameSite=Lax/i);
  return line.split(";")[0]!;
}

/** Starts a sign-in for `tenant` and signs `userId` in at the provider: the callback to call. */
async function begin(h: AuthHarness, idp: OidcProvider, tenant: string, userId: string) {
  const start = await h.app.request(`/auth/sso/start?tenant=${tenant}`);
  assert.equal(start.status, 302, await start.clone().text());
  const location = new URL(start.headers.get("location")!);
  const cookie = stateCookie(start);
  const back = await idp.authorize(location.href, userId);
  return { location, cookie, callback: `${back.pathname}${back.search}` };
}

async function finish(h: AuthHarness, callback: string, cookie: string | null) {
  const res = await h.app.request(callback, { headers: cookie ? { cookie } : {} });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("spiritstream_session="));
  return { res, session: session?.split(";")[0] ?? null, text: await res.text() };
}

async function whoami(h: AuthHarness, cookie: string) {
  return (await json(await h.invoke("auth_whoami", {}, { cookie }))).data;
}

Deno.test("SSO: OIDC sign-in with PKCE creates users just in time, maps groups to roles, refuses forged, replayed, unbound, unverified and foreign-issuer answers", async () => {
  const idp = await startOidcProvider({
    clients: [{ ...CLIENT, redirectUris: [CALLBACK] }],
    users: USERS,
  });
  const other = await startOidcProvider({
    clients: [{ ...CLIENT, redirectUris: [CALLBACK] }],
    users: USERS,
  });
  // A front that claims its own issuer but hands out the other provider's tokens (mix-up).
  const frontPort = freePort();
  const front = `http://127.0.0.1:${frontPort}`;
  const otherDoc = await (await fetch(`${other.issuer}/.well-known/openid-configuration`)).json();
  const frontServer = Deno.serve(
    { port: frontPort, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ ...otherDoc, issuer: front }),
  );
  const h = await startAuthHarness({ mode: "users", admin: ADMIN });
  try {
    await h.provisionUser("acme", "boss@acme.test", "boss-passphrase", "admin");
    const boss = await h.login({ email: "boss@acme.test", password: "boss-passphrase" });

    await t("settings are validated and name the field", async () => {
      const badIssuer = await h.invoke("set_sign_in_settings", {
        slug: "acme",
        oidc: oidcSettings("ftp://idp.example"),
      }, { cookie: boss });
      assert.equal(badIssuer.status, 400);
      assert.match((await json(badIssuer)).error, /oidc\.issuer.*https/);
      const lockedOut = await h.invoke("set_sign_in_settings", {
        slug: "acme",
        passwordLogin: false,
      }, { cookie: boss });
      assert.equal(lockedOut.status, 400);
      assert.match((await json(lockedOut)).error, /passwordLogin.*identity provider/);
      const noSecret = await h.invoke("set_sign_in_settings", {
        slug: "acme",
        oidc: { ...oidcSettings(idp.issuer), clientSecret: undefined },
      }, { cookie: boss });
      assert.equal(noSecret.status, 400);
      assert.match((await json(noSecret)).error, /oidc\.clientSecret/);
    });

    await t("a tenant admin sets the provider; the secret is never read back", async () => {
      const set = await h.invoke("set_sign_in_settings", {
        slug: "acme",
        domains: ["acme.test"],
        passwordLogin: false,
        oidc: oidcSettings(idp.issuer),
      }, { cookie: boss });
      assert.equal(set.status, 200, JSON.stringify(await set.clone().json()));
      const read = await json(await h.invoke("get_sign_in_settings", {}, { cookie: boss }));
      assert.equal(read.data.oidc.clientSecretSet, true);
      assert.equal(JSON.stringify(read).includes(CLIENT.clientSecret), false);
      assert.deepEqual(read.data.pendingDomains, ["acme.test"]);
      // Listed is not owned: until the host operator approves, the domain offers no provider.
      const early = await h.app.request("/auth/sso/discover?email=x@acme.test");
      assert.equal(await json(early), null, "an unapproved domain offers nobody's provider");
      const selfApproved = await h.invoke("decide_domain_claim", {
        tenantId: "acme",
        domain: "acme.test",
        approve: true,
      }, { cookie: boss });
      assert.equal(selfApproved.status, 403, "a tenant admin cannot approve its own claim");
      const host = await h.login(ADMIN);
      const claims = await json(await h.invoke("list_domain_claims", {}, { cookie: host }));
      assert.deepEqual(claims.data.map((c: { domain: string }) => c.domain), ["acme.test"]);
      const approved = await h.invoke("decide_domain_claim", {
        tenantId: "acme",
        domain: "ACME.test",
        approve: true,
      }, { cookie: host });
      assert.equal(approved.status, 200, JSON.stringify(await approved.clone().json()));
      const discovered = await json(await h.app.request("/auth/sso/discover?email=x@ACME.test"));
      assert.deepEqual(discovered, { tenant: "acme", provider: "Acme ID", passwordLogin: false });
      assert.equal(await json(await h.app.request("/auth/sso/discover?tenant=nope")), null);
    });

    await t(
      "password sign-in is off for that tenant: a clear refusal, even with the right password",
      async () => {
        const res = await h.post("/auth/login", {
          email: "boss@acme.test",
          password: "boss-passphrase",
        });
        assert.equal(res.status, 400);
        assert.match(
          (await json(res)).error,
          /Password sign-in is turned off.*Sign in with Acme ID/,
        );
        const token = await h.post("/auth/token", {
          email: "boss@acme.test",
          password: "boss-passphrase",
        });
        assert.match((await json(token)).error, /Password sign-in is turned off/);
      },
    );

    await t("a just-in-time user gets the role of their group", async () => {
      const { location, cookie, callback } = await begin(h, idp, "acme", "alice");
      assert.equal(location.searchParams.get("code_challenge_method"), "S256");
      assert.ok(location.searchParams.get("nonce"));
      assert.equal(location.searchParams.get("redirect_uri"), CALLBACK);
      const done = await finish(h, callback, cookie);
      assert.equal(done.res.status, 302, done.text);
      assert.equal(done.res.headers.get("location"), "/");
      assert.ok(done.session);
      const me = await whoami(h, done.session);
      assert.equal(me.tenantId, "acme");
      assert.equal(me.email, "alice@acme.test");
      assert.equal(me.role, "operator");
      const users = (await json(await h.invoke("list_users", {}, { cookie: boss }))).data;
      assert.ok(users.some((u: { email: string }) => u.email === "alice@acme.test"));

      await t("the same answer again (a replayed state) is refused", async () => {
        const again = await finish(h, callback, cookie);
        assert.equal(again.res.status, 400);
        assert.match(again.text, /unknown, expired or already used/);
        assert.equal(again.session, null);
      });
    });

    await t("the highest role of several groups wins", async () => {
      const { cookie, callback } = await begin(h, idp, "acme", "root");
      const done = await finish(h, callback, cookie);
      assert.equal((await whoami(h, done.session!)).role, "admin");
    });

    await t("no mapped group and no default role: refused, no account made", async () => {
      const { cookie, callback } = await begin(h, idp, "acme", "bob");
      const done = await finish(h, callback, cookie);
      assert.equal(done.res.status, 400);
      assert.match(done.text, /None of your groups gives a role/);
      const users = (await json(await h.invoke("list_users", {}, { cookie: boss }))).data;
      assert.equal(users.some((u: { email: string }) => u.email === "bob@acme.test"), false);
    });

    await t(
      "a provider's error and a tenant without a provider give a plain refusal page",
      async () => {
        const refused = await h.app.request(
          "/auth/sso/callback?error=access_denied&state=x",
          { headers: { cookie: "spiritstream_sso=x" } },
        );
        assert.equal(refused.status, 400);
        assert.match(await refused.text(), /refused the sign-in \(access_denied\)/);
        const injected = await h.app.request("/auth/sso/callback?error=%3Cb%3ECall+us%3C/b%3E");
        const page = await injected.text();
        assert.match(page, /\(unknown error\)/);
        assert.equal(page.includes("Call us"), false, "the query's text is not shown");
        const none = await h.app.request("/auth/sso/start?tenant=nobody");
        assert.equal(none.status, 400);
        assert.match(await none.text(), /no identity provider/);
      },
    );

    await t(
      "groups are the source of roles: a changed mapping applies at the next sign-in",
      async () => {
        const settings = await h.invoke("set_sign_in_settings", {
          slug: "acme",
          domains: ["acme.test"],
          passwordLogin: false,
          oidc: {
            ...oidcSettings(idp.issuer, { jit: false }),
            clientSecret: undefined,
            groupRoles: [{ group: "streamers", role: "viewer" }],
          },
        }, { cookie: boss });
        assert.equal(settings.status, 200, "the stored secret is kept when none is sent");
        const again = await begin(h, idp, "acme", "alice");
        const done = await finish(h, again.callback, again.cookie);
        assert.equal(done.res.status, 302, done.text);
        assert.equal((await whoami(h, done.session!)).role, "viewer");
      },
    );

    await t("a disabled account cannot sign in with the provider", async () => {
      const users = (await json(await h.invoke("list_users", {}, { cookie: boss }))).data;
      const alice = users.find((u: { email: string }) => u.email === "alice@acme.test");
      const off = await h.invoke("update_user", { userId: alice.id, disabled: true }, {
        cookie: boss,
      });
      assert.equal(off.status, 200);
      const { cookie, callback } = await begin(h, idp, "acme", "alice");
      const done = await finish(h, callback, cookie);
      assert.equal(done.res.status, 400);
      assert.match(done.text, /This account is disabled/);
      await h.invoke("update_user", { userId: alice.id, disabled: false }, { cookie: boss });
    });

    await t("just-in-time accounts off: an unknown user is refused", async () => {
      const { cookie, callback } = await begin(h, idp, "acme", "bob");
      const done = await finish(h, callback, cookie);
      assert.equal(done.res.status, 400);
      assert.match(done.text, /accounts are not created on sign-in/);
    });

    await t("a state this gateway did not issue is refused", async () => {
      const { callback } = await begin(h, idp, "acme", "alice");
      const forged = callback.replace(/state=[^&]+/, "state=forged-state");
      const done = await finish(h, forged, "spiritstream_sso=forged-state");
      assert.equal(done.res.status, 400);
      assert.match(done.text, /unknown, expired or already used/);
    });

    await t("an answer for a sign-in begun in another browser is refused", async () => {
      const { callback } = await begin(h, idp, "acme", "alice");
      const done = await finish(h, callback, null);
      assert.equal(done.res.status, 400);
      assert.match(done.text, /not started in this browser/);
    });

    await t("an unverified email is refused", async () => {
      const { cookie, callback } = await begin(h, idp, "acme", "eve");
      const done = await finish(h, callback, cookie);
      assert.equal(done.res.status, 400);
      assert.match(done.text, /has not verified this email/);
    });

    await t("an id_token from another issuer is refused", async () => {
      await h.provisionUser("beta", "boss@beta.test", "beta-passphrase", "admin");
      const betaBoss = await h.login({ email: "boss@beta.test", password: "beta-passphrase" });
      const set = await h.invoke("set_sign_in_settings", {
        slug: "beta",
        oidc: oidcSettings(front),
      }, { cookie: betaBoss });
      assert.equal(set.status, 200);
      const { cookie, callback } = await begin(h, other, "beta", "alice");
      const done = await finish(h, callback, cookie);
      assert.equal(done.res.status, 400);
      assert.match(done.text, /id_token was refused: it comes from another issuer/);
      assert.equal(done.session, null);
    });
  } finally {
    await h.close();
    await frontServer.shutdown();
    await other.close();
    await idp.close();
  }

  async function t(name: string, fn: () => Promise<void>) {
    try {
      await fn();
    } catch (error) {
      throw new Error(`${name}: ${error instanceof Error ? error.message : error}`, {
        cause: error,
      });
    }
  }
});

Deno.test("login: the same email in two tenants signs in to each by slug, and is asked for one without", async () => {
  const h = await startAuthHarness({ mode: "users", admin: ADMIN });
  try {
    for (const [tenant, slug] of [["t-one", "one"], ["t-two", "two"]] as const) {
      await h.provisionUser(tenant, `admin@${slug}.test`, "admin-passphrase", "admin");
      const cookie = await h.login({ email: `admin@${slug}.test`, password: "admin-passphrase" });
      const set = await h.invoke("set_sign_in_settings", { slug }, { cookie });
      assert.equal(set.status, 200);
    }
    await h.provisionUser("t-one", "same@x.test", "password-one", "operator");
    await h.provisionUser("t-two", "same@x.test", "password-two", "viewer");
    const ambiguous = await h.post("/auth/login", {
      email: "same@x.test",
      password: "password-one",
    });
    assert.equal(ambiguous.status, 400);
    assert.match((await json(ambiguous)).error, /several tenants.*"tenant"/);
    const one = await h.login({ email: "same@x.test", password: "password-one", tenant: "one" });
    assert.deepEqual(
      [(await whoami(h, one)).tenantId, (await whoami(h, one)).role],
      ["t-one", "operator"],
    );
    const two = await h.login({ email: "same@x.test", password: "password-two", tenant: "two" });
    assert.deepEqual([(await whoami(h, two)).tenantId, (await whoami(h, two)).role], [
      "t-two",
      "viewer",
    ]);
    // A tenant that claims another tenant's domain does not lock that domain's users out.
    await h.provisionUser("t-squat", "admin@squat.test", "admin-passphrase", "admin");
    const squatter = await h.login({ email: "admin@squat.test", password: "admin-passphrase" });
    const claim = await h.invoke("set_sign_in_settings", { slug: "squat", domains: ["one.test"] }, {
      cookie: squatter,
    });
    assert.equal(claim.status, 200);
    const stillIn = await h.login({ email: "admin@one.test", password: "admin-passphrase" });
    assert.equal((await whoami(h, stillIn)).tenantId, "t-one");
    const wrong = await h.post("/auth/login", {
      email: "same@x.test",
      password: "password-one",
      tenant: "two",
    });
    assert.deepEqual(await json(wrong), { ok: false, error: "Invalid email or password" });
    const unknown = await h.post("/auth/login", {
      email: "same@x.test",
      password: "password-one",
      tenant: "nope",
    });
    assert.equal(unknown.status, 400);
    assert.match((await json(unknown)).error, /"tenant": no tenant has that slug/);
  } finally {
    await h.close();
  }
});

Deno.test("SSO routes: random query strings never answer 5xx", async () => {
  const h = await startAuthHarness({ mode: "users", admin: ADMIN });
  const junk = ["", "%", "%E0%A4%A", "a".repeat(5000), "<script>", "'\"", "\u0000", "acme", "x@y"];
  let seed = 0x55a;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = () => junk[Math.floor(rand() * junk.length)]!;
  try {
    for (let i = 0; i < 300; i++) {
      const route = ["discover", "start", "callback"][i % 3];
      const query =
        `tenant=${pick()}&email=${pick()}&state=${pick()}&code=${pick()}&error=${pick()}`;
      const res = await h.app.request(`/auth/sso/${route}?${query}`, {
        headers: rand() < 0.5 ? { cookie: `spiritstream_sso=${encodeURIComponent(pick())}` } : {},
      });
      const text = await res.text();
      assert.ok(
        res.status < 500,
        `${route}?${query.slice(0, 80)} → ${res.status}: ${text.slice(0, 120)}`,
      );
      assert.equal(text.includes("<script>"), false, "nothing from the query is echoed as HTML");
    }
  } finally {
    await h.close();
  }
});

Deno.test("SSO with the auth service on PostgreSQL: a just-in-time sign-in, then the same email in a second tenant by slug", async () => {
  const pg = await startPostgres();
  const db = openPostgres(await pg.createDatabase(), { max: 4 });
  const idp = await startOidcProvider({
    clients: [{ ...CLIENT, redirectUris: [CALLBACK] }],
    users: USERS,
  });
  const keyDir = await Deno.makeTempDir({ prefix: "spiritstream-sso-keys-" });
  // As main.ts runs it: the auth service seals with the root keys.
  const rootKeys = await openRootKeys({ kind: "machine_file", path: `${keyDir}/secrets.key` });
  const h = await startAuthHarness({ mode: "users", admin: ADMIN, auth: { db, rootKeys } });
  try {
    await h.provisionUser("acme", "boss@acme.test", "boss-passphrase", "admin");
    const boss = await h.login({ email: "boss@acme.test", password: "boss-passphrase" });
    const set = await h.invoke("set_sign_in_settings", {
      slug: "acme",
      domains: ["acme.test"],
      oidc: oidcSettings(idp.issuer),
    }, { cookie: boss });
    assert.equal(set.status, 200);
    const { cookie, callback } = await begin(h, idp, "acme", "alice");
    const done = await finish(h, callback, cookie);
    assert.equal(done.res.status, 302, done.text);
    assert.deepEqual(
      [(await whoami(h, done.session!)).tenantId, (await whoami(h, done.session!)).role],
      ["acme", "operator"],
    );
    assert.match((await finish(h, callback, cookie)).text, /already used/, "no replay");

    await h.provisionUser("other", "alice@acme.test", "alice-password", "viewer");
    await h.provisionUser("other", "boss@other.test", "other-passphrase", "admin");
    const otherBoss = await h.login({ email: "boss@other.test", password: "other-passphrase" });
    await h.invoke("set_sign_in_settings", { slug: "other" }, { cookie: otherBoss });
    const inOther = await h.login({
      email: "alice@acme.test",
      password: "alice-password",
      tenant: "other",
    });
    assert.equal((await whoami(h, inOther)).tenantId, "other");

    // The client secret at rest: sealed in the row (every column's bytes), never in logs/audit.
    const rows = await db.query("SELECT * FROM auth_tenant_sign_in");
    assert.ok(JSON.stringify(rows).includes("Acme ID"), "the row is there");
    assert.equal(JSON.stringify(rows).includes(CLIENT.clientSecret), false, "sealed at rest");
    const every = await db.query(
      "SELECT string_agg(t::text, '|') AS all FROM auth_audit t",
    );
    assert.equal(String(every[0]?.all).includes(CLIENT.clientSecret), false, "not in the audit");
    assert.equal(h.logs.some((line) => line.includes(CLIENT.clientSecret)), false, "not logged");
    // Tenant B reads only its own settings; the other tenant's provider is nowhere in them.
    const theirs = await json(await h.invoke("get_sign_in_settings", {}, { cookie: otherBoss }));
    assert.deepEqual([theirs.data.slug, theirs.data.oidc], ["other", null]);
    // X-Forwarded-* are ignored without trustProxy: the callback is on the Host reached.
    const forwarded = await h.app.request("/auth/sso/start?tenant=acme", {
      headers: { "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" },
    });
    const redirect = new URL(forwarded.headers.get("location")!).searchParams.get("redirect_uri");
    assert.equal(redirect, CALLBACK);
  } finally {
    await h.close();
    await idp.close();
    await db.close();
    await pg.stop();
    await Deno.remove(keyDir, { recursive: true });
  }
});

Deno.test("SSO into a suspended tenant: the host operator suspends it with suspend_tenant, the callback is refused and no session is made", async () => {
  const idp = await startOidcProvider({
    clients: [{ ...CLIENT, redirectUris: [CALLBACK] }],
    users: USERS,
  });
  const h = await startAuthHarness({ mode: "users", admin: ADMIN });
  const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-sso-suspended-" });
  // The real encoder answers suspend_tenant's "stop its streams".
  const encoder = await startEncoderService({
    bus: h.bus,
    logger: createLogger({ level: "warn", destination: { write() {} } }),
    config: { ffmpegPath: null, dataDir },
    env: { PATH: Deno.env.get("PATH") },
  });
  try {
    await h.provisionUser("acme", "boss@acme.test", "boss-passphrase", "admin");
    const boss = await h.login({ email: "boss@acme.test", password: "boss-passphrase" });
    const set = await h.invoke("set_sign_in_settings", {
      slug: "acme",
      oidc: oidcSettings(idp.issuer),
    }, { cookie: boss });
    assert.equal(set.status, 200);
    const before = await begin(h, idp, "acme", "alice");
    const host = await h.login(ADMIN);
    const suspended = await h.invoke("suspend_tenant", { tenantId: "acme" }, { cookie: host });
    assert.equal(suspended.status, 200, JSON.stringify(await suspended.clone().json()));
    // A sign-in begun before the suspension, and one begun after it.
    const after = await begin(h, idp, "acme", "alice");
    for (const attempt of [before, after]) {
      const done = await finish(h, attempt.callback, attempt.cookie);
      assert.equal(done.session, null, "no session cookie");
      assert.match(
        decodeURIComponent(done.res.headers.get("location") ?? "") + done.text,
        /organisation is suspended/,
      );
    }
    const resumed = await h.invoke("resume_tenant", { tenantId: "acme" }, { cookie: host });
    assert.equal(resumed.status, 200);
    const again = await begin(h, idp, "acme", "alice");
    const ok = await finish(h, again.callback, again.cookie);
    assert.ok(
      ok.session,
      "after resume_tenant the same sign-in works (the refusal was the suspension)",
    );
  } finally {
    await encoder.close();
    await h.close();
    await idp.close();
    await Deno.remove(dataDir, { recursive: true });
  }
});
