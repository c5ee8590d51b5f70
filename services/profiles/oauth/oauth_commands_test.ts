import assert from "node:assert/strict";
import { MASKED_SECRET } from "@spiritstream/contracts";
import { startOidcProvider } from "@spiritstream/testing";
import { type Dialect, startHarness } from "../testdata/harness.ts";
import { sampleProfile } from "../testdata/profiles.ts";
import { oauthConfigFromEnv } from "./oauth_config.ts";

const REDIRECT = "http://127.0.0.1:8008/oauth/callback";
const CLIENT = { clientId: "ss-cmd-test", clientSecret: "cmd-secret-4b1d" };

for (const dialect of ["sqlite", "postgres"] as Dialect[]) {
  Deno.test(`oauth commands (${dialect}): configured only with a client id; start_flow needs an active profile and a redirect URL; the authorize URL carries S256 PKCE; oauth_complete_flow refuses a wrong state, another user's state and a replay`, async () => {
    const oidc = await startOidcProvider({
      clients: [{ ...CLIENT, redirectUris: [REDIRECT] }],
      users: [{ id: "u", username: "u", name: "U" }],
    });
    const env = {
      SPIRITSTREAM_TWITCH_CLIENT_ID: CLIENT.clientId,
      SPIRITSTREAM_TWITCH_CLIENT_SECRET: CLIENT.clientSecret,
      SPIRITSTREAM_TWITCH_OAUTH_ISSUER: oidc.issuer,
    };
    const h = await startHarness(dialect, {
      oauth: { ...oauthConfigFromEnv(env), defaultRedirect: () => REDIRECT },
    });
    try {
      assert.equal(await h.call("oauth_is_configured", { provider: "twitch" }), true);
      assert.equal(await h.call("oauth_is_configured", { provider: "youtube" }), false);
      assert.equal(await h.call("oauth_is_configured", { provider: "kick" }), false);
      const noProfile = await h.fail("oauth_start_flow", { provider: "twitch" });
      assert.equal(noProfile.code, "failed_precondition");
      assert.match(noProfile.message, /No active profile/);
      const unconfigured = await h.fail("oauth_start_flow", { provider: "youtube" });
      assert.match(unconfigured.message, /set SPIRITSTREAM_YOUTUBE_CLIENT_ID/);

      const profile = sampleProfile("Main", { twitch: "k1", youtube: "k2", kick: "k3" });
      await h.call("save_profile", { profile });
      await h.call("load_profile", { name: "Main", setActive: true });
      const meta = { userId: "u1" };
      const flow = await h.call("oauth_start_flow", { provider: "twitch" }, meta);
      const url = new URL(flow.authUrl);
      assert.equal(url.origin + url.pathname, `${oidc.issuer}/auth`);
      assert.equal(url.searchParams.get("code_challenge_method"), "S256");
      assert.match(url.searchParams.get("code_challenge") ?? "", /^[A-Za-z0-9_-]{43}$/);
      assert.equal(url.searchParams.get("state"), flow.state);
      assert.equal(url.searchParams.get("redirect_uri"), REDIRECT);
      assert.equal(url.searchParams.get("client_id"), CLIENT.clientId);
      assert.equal(url.searchParams.has("client_secret"), false);
      assert.equal(flow.callbackPort, 8008);

      const wrong = await h.fail("oauth_complete_flow", {
        provider: "twitch",
        code: "c",
        state: "twitch.not-a-state-we-issued",
      }, meta);
      assert.match(wrong.message, /"state": no sign-in is waiting for it/);
      const stolen = await h.fail("oauth_complete_flow", {
        provider: "twitch",
        code: "c",
        state: flow.state,
      }, { userId: "u2" });
      assert.equal(stolen.code, "permission_denied");

      const second = await h.call("oauth_start_flow", { provider: "twitch" }, meta);
      // A made-up code: the real provider refuses it, and the state is spent all the same.
      const badCode = await h.fail("oauth_complete_flow", {
        provider: "twitch",
        code: "made-up-code",
        state: second.state,
      }, meta);
      assert.match(badCode.message, /refused to issue tokens \(invalid_grant\)/);
      const replay = await h.fail("oauth_complete_flow", {
        provider: "twitch",
        code: "made-up-code",
        state: second.state,
      }, meta);
      assert.match(replay.message, /already used/);
      assert.deepEqual(await h.call("oauth_get_account", { provider: "twitch" }), {
        loggedIn: false,
      });
      assert.equal(h.logs.join("\n").includes(CLIENT.clientSecret), false);
    } finally {
      await h.close();
      await oidc.close();
    }
  });
}

Deno.test("oauth commands: a server with no SPIRITSTREAM_OAUTH_REDIRECT_URL says so at start_flow", async () => {
  const h = await startHarness("sqlite", {
    oauth: oauthConfigFromEnv({ SPIRITSTREAM_TWITCH_CLIENT_ID: "id" }),
  });
  try {
    const profile = sampleProfile("Main", { twitch: "k1", youtube: "k2", kick: "k3" });
    await h.call("save_profile", { profile });
    await h.call("load_profile", { name: "Main", setActive: true });
    const refused = await h.fail("oauth_start_flow", { provider: "twitch" });
    assert.equal(refused.code, "failed_precondition");
    assert.match(refused.message, /SPIRITSTREAM_OAUTH_REDIRECT_URL/);
  } finally {
    await h.close();
  }
});

for (const dialect of ["sqlite", "postgres"] as Dialect[]) {
  Deno.test(`oauth_set_config (${dialect}): host operator only; the client secret is stored sealed and kept across a restart`, async () => {
    const h = await startHarness(dialect);
    try {
      assert.deepEqual(await h.call("oauth_get_config", {}), {
        twitchConfigured: false,
        youtubeConfigured: false,
        redirectUrl: null,
      });
      const tenantAdmin = { role: "admin" as const, userId: "a", hostOperator: false };
      const refused = await h.fail(
        "oauth_set_config",
        { config: { twitchClientId: "x" } },
        tenantAdmin,
      );
      assert.equal(refused.code, "permission_denied");
      await h.call("oauth_set_config", {
        config: { youtubeClientId: "yt-client", youtubeClientSecret: "yt-secret-9d2e" },
      });
      assert.deepEqual(await h.call("oauth_get_config", {}), {
        twitchConfigured: false,
        youtubeConfigured: true,
        redirectUrl: null,
      });
      const rows = await h.db.query<{ body: string }>(
        "SELECT body FROM settings WHERE tenant_id = '*' AND scope = 'oauth_clients'",
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.body.includes("yt-secret-9d2e"), false, "secret stored in clear");
      assert.match(rows[0]!.body, /"clientId":"yt-client"/);
      await h.restart();
      assert.equal(await h.call("oauth_is_configured", { provider: "youtube" }), true);
      await h.call("oauth_set_config", { config: { youtubeClientId: "" } });
      assert.equal(await h.call("oauth_is_configured", { provider: "youtube" }), false);
    } finally {
      await h.close();
    }
  });
}

Deno.test("oauth_complete_flow: signs in and emits oauth_complete with the account only; no command hands out the tokens (revealKeys masks them) and saving that copy keeps the sign-in", async () => {
  const oidc = await startOidcProvider({
    clients: [{ ...CLIENT, redirectUris: [REDIRECT] }],
    users: [{ id: "bob", username: "bob_tv", name: "Bob" }],
  });
  const h = await startHarness("sqlite", {
    oauth: {
      ...oauthConfigFromEnv({
        SPIRITSTREAM_TWITCH_CLIENT_ID: CLIENT.clientId,
        SPIRITSTREAM_TWITCH_CLIENT_SECRET: CLIENT.clientSecret,
        SPIRITSTREAM_TWITCH_OAUTH_ISSUER: oidc.issuer,
        SPIRITSTREAM_TWITCH_OAUTH_SCOPES: "openid profile",
      }),
      defaultRedirect: () => REDIRECT,
    },
  });
  try {
    const profile = sampleProfile("Main", { twitch: "k1", youtube: "k2", kick: "k3" });
    await h.call("save_profile", { profile });
    await h.call("load_profile", { name: "Main", setActive: true });
    const flow = await h.call("oauth_start_flow", { provider: "twitch" });
    const back = await oidc.authorize(flow.authUrl, "bob");
    const account = { provider: "twitch", userId: "bob", username: "bob_tv", displayName: "Bob" };
    assert.deepEqual(
      await h.call("oauth_complete_flow", {
        provider: "twitch",
        code: back.searchParams.get("code")!,
        state: back.searchParams.get("state")!,
      }),
      account,
    );
    const [issued] = oidc.issued();
    const completes = h.events.filter((e) => e.event === "oauth_complete");
    assert.deepEqual(completes.map((e) => e.payload), [account]);

    const revealed = await h.call("load_profile", { name: "Main", revealKeys: true });
    assert.equal(revealed.settings.oauth.twitch.accessToken, MASKED_SECRET);
    assert.equal(revealed.settings.oauth.twitch.refreshToken, MASKED_SECRET);
    assert.equal(revealed.outputGroups[0]!.streamTargets[0]!.streamKey, "k1", "keys revealed");
    await h.call("save_profile", { profile: revealed });
    assert.deepEqual(await h.call("oauth_get_account", { provider: "twitch" }), {
      loggedIn: true,
      userId: "bob",
      username: "bob_tv",
      displayName: "Bob",
    });
    // The stored refresh token is still the real one: oauth_refresh_token with it works.
    const refreshed = await h.call("oauth_refresh_token", {
      provider: "twitch",
      refreshToken: issued!.refreshToken!,
    });
    assert.notEqual(refreshed.access_token, issued!.accessToken);
    const everything = JSON.stringify(h.events) + h.logs.join("\n");
    assert.equal(everything.includes(issued!.accessToken), false, "token in an event or log");
    assert.equal(everything.includes(refreshed.access_token), false, "token in an event or log");
  } finally {
    await h.close();
    await oidc.close();
  }
});
