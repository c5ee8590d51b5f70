import assert from "node:assert/strict";
import { AppError, EVENTS, type RequestMeta } from "@spiritstream/contracts";
import { createEventPublisher, createMemoryBus } from "@spiritstream/bus";
import { createLogger, createRedactor, openRootKeys } from "@spiritstream/kit";
import { type OidcProvider, openMigratedSqlite, startOidcProvider } from "@spiritstream/testing";
import { createDataKeyring } from "../crypto/data_keys.ts";
import { PROFILES_MIGRATIONS } from "../migrations.ts";
import { createProfileVault, type ProfileVault } from "../profile_vault.ts";
import { createUnlockedSessions } from "../unlocked_sessions.ts";
import { sampleProfile } from "../testdata/profiles.ts";
import { SavableProfile } from "@spiritstream/contracts";
import { oauthConfigFromEnv } from "./oauth_config.ts";
import { OAuthService } from "./oauth_service.ts";

const REDIRECT = "http://127.0.0.1:8008/oauth/callback";
const CLIENT = { clientId: "svc-test", clientSecret: "svc-secret-51c0" };
const USER = { id: "alice", username: "alice_live", name: "Alice" };
const META: RequestMeta = { requestId: "r", tenantId: "local", userId: null, role: null, ip: null };

interface Rig {
  oidc: OidcProvider;
  vault: ProfileVault;
  /** The clock the service reads: real time plus `skewMs`. */
  clock: { skewMs: number };
  service: OAuthService;
  logs: string[];
  /** Another profiles replica on the same store. */
  replica(): OAuthService;
  close(): Promise<void>;
}

async function startRig(): Promise<Rig> {
  const oidc = await startOidcProvider({
    clients: [{ ...CLIENT, redirectUris: [REDIRECT] }],
    users: [USER],
  });
  const { db, cleanup } = await openMigratedSqlite("profiles", PROFILES_MIGRATIONS);
  const keyDir = await Deno.makeTempDir({ prefix: "spiritstream-oauth-keys-" });
  const root = await openRootKeys({ kind: "machine_file", path: `${keyDir}/secrets.key` });
  const redactor = createRedactor();
  const logs: string[] = [];
  const log = createLogger({
    level: "debug",
    redactor,
    destination: { write: (l) => logs.push(l) },
  });
  const bus = createMemoryBus();
  const clock = { skewMs: 0 };
  const services: OAuthService[] = [];
  /** A profiles replica: its own keyring, vault and sign-in service over the same store. */
  function replica(): { vault: ProfileVault; service: OAuthService } {
    const keys = createDataKeyring(root);
    const vault = createProfileVault({ db, keys, sessions: createUnlockedSessions(), redactor });
    const service = new OAuthService({
      vault,
      db,
      keys,
      events: createEventPublisher(bus, EVENTS),
      log,
      redactor,
      config: oauthConfigFromEnv({
        SPIRITSTREAM_TWITCH_CLIENT_ID: CLIENT.clientId,
        SPIRITSTREAM_TWITCH_CLIENT_SECRET: CLIENT.clientSecret,
        SPIRITSTREAM_TWITCH_OAUTH_ISSUER: oidc.issuer,
        SPIRITSTREAM_TWITCH_OAUTH_SCOPES: "openid profile",
      }),
      defaultRedirect: () => REDIRECT,
      now: () => Date.now() + clock.skewMs,
    });
    services.push(service);
    return { vault, service };
  }
  const { vault, service } = replica();
  await activate(vault, "Main");
  return {
    oidc,
    vault,
    clock,
    service,
    logs,
    replica: () => replica().service,
    async close() {
      for (const s of services) s.close();
      await bus.close();
      await cleanup();
      await oidc.close();
      await Deno.remove(keyDir, { recursive: true });
    },
  };
}

async function activate(vault: ProfileVault, name: string): Promise<string> {
  const profile = SavableProfile.parse(
    sampleProfile(name, { twitch: "k1", youtube: "k2", kick: "k3" }),
  );
  await vault.save("local", profile);
  await vault.setActive("local", profile.id);
  return profile.id;
}

/** Starts a sign-in, signs in at the provider, and returns what the callback carries. */
async function signIn(rig: Rig): Promise<{ code: string; state: string }> {
  const flow = await rig.service.start(META, "twitch");
  const back = await rig.oidc.authorize(flow.authUrl, USER.id);
  assert.equal(back.origin + back.pathname, REDIRECT);
  assert.equal(back.searchParams.get("state"), flow.state);
  return { code: back.searchParams.get("code")!, state: flow.state };
}

Deno.test("OAuthService.accessToken: the signed-in token; near expiry concurrent callers share one refresh, whose rotated refresh token is stored", async () => {
  const rig = await startRig();
  try {
    assert.equal(await rig.service.accessToken(META, "twitch"), undefined);
    const result = await rig.service.complete(META, { provider: "twitch", ...await signIn(rig) });
    assert.deepEqual(result, {
      provider: "twitch",
      userId: USER.id,
      username: USER.username,
      displayName: USER.name,
    });
    const stored = (await rig.vault.active("local"))!.settings.oauth.twitch;
    assert.equal(await rig.service.accessToken(META, "twitch"), stored.accessToken);
    assert.deepEqual(rig.oidc.grants(), ["authorization_code"]);

    // 30 s before expiry by our clock: every caller gets the one refreshed token.
    rig.clock.skewMs = (stored.expiresAt * 1000 - Date.now()) - 30_000;
    const tokens = await Promise.all([1, 2, 3].map(() => rig.service.accessToken(META, "twitch")));
    assert.deepEqual(rig.oidc.grants(), ["authorization_code", "refresh_token"]);
    assert.equal(new Set(tokens).size, 1);
    assert.notEqual(tokens[0], stored.accessToken);
    const fresh = (await rig.vault.active("local"))!.settings.oauth.twitch;
    assert.equal(fresh.accessToken, tokens[0]);
    assert.notEqual(fresh.refreshToken, stored.refreshToken);
    assert.equal((await rig.oidc.userinfo(tokens[0]!)).status, 200);
    // And the stored (rotated) refresh token is the one that works next.
    rig.clock.skewMs = (fresh.expiresAt * 1000 - Date.now()) - 30_000;
    assert.notEqual(await rig.service.accessToken(META, "twitch"), tokens[0]);
    assert.equal(rig.oidc.grants().length, 3);
    assert.equal(rig.logs.join("\n").includes(fresh.refreshToken), false);
  } finally {
    await rig.close();
  }
});

Deno.test("OAuthService.complete: refused when another profile became active during the sign-in", async () => {
  const rig = await startRig();
  try {
    const callback = await signIn(rig);
    await activate(rig.vault, "Other");
    await assert.rejects(
      rig.service.complete(META, { provider: "twitch", ...callback }),
      (error: unknown) =>
        error instanceof AppError && error.code === "conflict" &&
        /active profile changed during sign-in/.test(error.message),
    );
    assert.equal((await rig.vault.active("local"))!.settings.oauth.twitch.accessToken, "");
  } finally {
    await rig.close();
  }
});

Deno.test("OAuthService.disconnect forgets without telling the provider; forget revokes, then accessToken is undefined", async () => {
  const rig = await startRig();
  try {
    await rig.service.complete(META, { provider: "twitch", ...await signIn(rig) });
    await rig.service.disconnect(META, "twitch");
    assert.deepEqual(rig.oidc.revoked(), []);
    assert.deepEqual(await rig.service.account(META, "twitch"), { loggedIn: false });
    assert.equal(await rig.service.accessToken(META, "twitch"), undefined);

    await rig.service.complete(META, { provider: "twitch", ...await signIn(rig) });
    const stored = (await rig.vault.active("local"))!.settings.oauth.twitch;
    await rig.service.forget(META, "twitch");
    assert.deepEqual(rig.oidc.revoked(), [stored.refreshToken, stored.accessToken]);
    assert.equal(await rig.service.accessToken(META, "twitch"), undefined);
    assert.equal((await rig.oidc.userinfo(stored.accessToken)).status, 401);
  } finally {
    await rig.close();
  }
});

Deno.test("OAuthService on two replicas: a sign-in started on one finishes on the other; near expiry both refresh at once and the provider sees one refresh", async () => {
  const rig = await startRig();
  try {
    const other = rig.replica();
    const flow = await rig.service.start(META, "twitch");
    const back = await rig.oidc.authorize(flow.authUrl, USER.id);
    const code = back.searchParams.get("code")!;
    await other.complete(META, { provider: "twitch", code, state: flow.state });
    assert.deepEqual(await rig.service.account(META, "twitch"), {
      loggedIn: true,
      userId: USER.id,
      username: USER.username,
      displayName: USER.name,
    });
    const stored = (await rig.vault.active("local"))!.settings.oauth.twitch;
    rig.clock.skewMs = (stored.expiresAt * 1000 - Date.now()) - 30_000;
    const [a, b] = await Promise.all([
      rig.service.accessToken(META, "twitch"),
      other.accessToken(META, "twitch"),
    ]);
    assert.deepEqual(rig.oidc.grants(), ["authorization_code", "refresh_token"]);
    assert.ok(a && a !== stored.accessToken);
    assert.equal(b, a);
  } finally {
    await rig.close();
  }
});
