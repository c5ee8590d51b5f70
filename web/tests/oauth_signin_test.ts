import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { Page } from "playwright-core";
import type { ProfileSettings } from "@spiritstream/contracts";
import { freePort, type OidcProvider, startOidcProvider, waitFor } from "@spiritstream/testing";
import {
  demoProfile,
  ensureBuilt,
  invoke,
  launchBrowser,
  saveProfile,
  screenshot,
  startDesktop,
  watchConsole,
} from "./harness.ts";

const CLIENT = { clientId: "spiritstream-test", clientSecret: "client-secret-7f3a9c" };
const USER = { id: "streamer", username: "streamer_one", name: "Streamer One" };
const MASK = "••••••••";

/** The stored sign-in as the most revealing load shows it (tokens stay masked even there). */
async function storedTwitch(base: string): Promise<ProfileSettings["oauth"]["twitch"]> {
  const reply = await invoke(base, "load_profile", { name: "Show", revealKeys: true });
  assert.equal(reply.ok, true, reply.error ?? "");
  return (reply.data as { settings: ProfileSettings }).settings.oauth.twitch;
}

/** Every byte of the profiles database (its WAL too), to look for plaintext. */
async function databaseBytes(dataDir: string): Promise<string> {
  let text = "";
  for (const name of ["profiles.db", "profiles.db-wal"]) {
    const bytes = await Deno.readFile(`${dataDir}/${name}`).catch(() => new Uint8Array());
    text += new TextDecoder("latin1").decode(bytes);
  }
  return text;
}

/** The stored profile rows, read straight from the SQLite file. */
function storedBodies(dataDir: string): string {
  const db = new DatabaseSync(`${dataDir}/profiles.db`, { readOnly: true });
  try {
    const rows = db.prepare("SELECT body FROM profiles").all() as { body: string }[];
    return rows.map((row) => row.body).join("\n");
  } finally {
    db.close();
  }
}

/** Every event the host sends on /ws, as text, from now on. */
function recordEvents(base: string): { frames: string[]; close(): Promise<void> } {
  const frames: string[] = [];
  const socket = new WebSocket(`${base.replace("http", "ws")}/ws`);
  socket.onmessage = (message) => frames.push(String(message.data));
  const closed = new Promise((resolve) => (socket.onclose = resolve));
  return {
    frames,
    async close() {
      socket.close();
      await closed;
    },
  };
}

/** Every line the host wrote to its log files. */
async function logFiles(dataDir: string): Promise<string> {
  let text = "";
  for await (const entry of Deno.readDir(`${dataDir}/logs`)) {
    if (entry.isFile) text += await Deno.readTextFile(`${dataDir}/logs/${entry.name}`);
  }
  return text;
}

/** The provider's login and consent pages, as a person fills them in. */
async function signInAtProvider(page: Page, issuer: string): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(issuer));
  await page.locator('input[name="login"]').fill(USER.id);
  await page.locator('input[name="password"]').fill("any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
}

Deno.test("oauth sign-in: PKCE against a real OpenID provider in Chromium (login, consent, back to Integrations, account shown), tokens sealed in SQLite, background refresh gives a new token that works at userinfo, forget revokes at the provider and refresh then fails", async () => {
  await ensureBuilt();
  const issuerPort = freePort();
  const issuer = `http://127.0.0.1:${issuerPort}`;
  // Discovery is read at the first sign-in, so the host can start before the provider.
  const desktop = await startDesktop({
    SPIRITSTREAM_TWITCH_CLIENT_ID: CLIENT.clientId,
    SPIRITSTREAM_TWITCH_CLIENT_SECRET: CLIENT.clientSecret,
    SPIRITSTREAM_TWITCH_OAUTH_ISSUER: issuer,
    SPIRITSTREAM_TWITCH_OAUTH_SCOPES: "openid profile",
  });
  let oidc: OidcProvider | null = null;
  const events = recordEvents(desktop.base);
  const browser = await launchBrowser();
  try {
    // A 20 s access token: the host refreshes it halfway through its life, for one of an hour.
    oidc = await startOidcProvider({
      port: issuerPort,
      clients: [{ ...CLIENT, redirectUris: [`${desktop.base}/oauth/callback`] }],
      users: [USER],
      accessTokenTtl: 20,
      refreshedAccessTokenTtl: 3600,
    });
    await saveProfile(desktop.base, demoProfile("Show"));
    const loaded = await invoke(desktop.base, "load_profile", { name: "Show", setActive: true });
    assert.equal(loaded.ok, true, loaded.error ?? "");
    assert.deepEqual((await invoke(desktop.base, "oauth_get_config")).data, {
      twitchConfigured: true,
      youtubeConfigured: false,
      // The desktop's own address: what to register with the platform.
      redirectUrl: `${desktop.base}/oauth/callback`,
    });

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/integrations`);
    const twitch = page.locator('[data-oauth="twitch"]');
    await twitch.getByRole("button", { name: "Sign in with Twitch" }).click();
    await signInAtProvider(page, issuer);
    await twitch.getByText(`Signed in as ${USER.name} (@${USER.username})`).waitFor();
    assert.equal(new URL(page.url()).pathname, "/", "the code left the address bar");
    assert.equal(new URL(page.url()).hash, "#/integrations");
    // Google has no client on this host: its button says so instead of failing later.
    const google = page.locator('[data-oauth="youtube"]');
    assert.equal(
      await google.getByRole("button", { name: "Sign in with Google" }).isDisabled(),
      true,
    );
    await google.getByText("set SPIRITSTREAM_YOUTUBE_CLIENT_ID").waitFor();
    await page.getByText(
      `Redirect URL to register with each platform: ${desktop.base}/oauth/callback`,
    )
      .waitFor();
    await screenshot(page, "integrations-signed-in");

    const account = await invoke(desktop.base, "oauth_get_account", { provider: "twitch" });
    assert.deepEqual(account.data, {
      loggedIn: true,
      userId: USER.id,
      username: USER.username,
      displayName: USER.name,
    });
    assert.deepEqual(oidc.grants(), ["authorization_code"]);
    const first = oidc.issued()[0]!;
    assert.ok(first.accessToken.length > 20 && first.refreshToken!.length > 20);
    assert.equal((await oidc.userinfo(first.accessToken)).status, 200);
    // No command hands the tokens out, not even an operator's reveal of the profile's keys.
    const revealed = await storedTwitch(desktop.base);
    assert.equal(revealed.accessToken, MASK);
    assert.equal(revealed.refreshToken, MASK);
    const firstExpiry = revealed.expiresAt;

    // Sealed at rest: neither token is anywhere in the database file, the row holds SS1 seals.
    const bodies = storedBodies(desktop.dataDir);
    assert.match(bodies, /"accessToken":"SS1:/);
    const raw = await databaseBytes(desktop.dataDir);
    assert.equal(raw.includes(first.accessToken), false, "access token in plaintext at rest");
    assert.equal(raw.includes(first.refreshToken!), false, "refresh token in plaintext at rest");
    // Nor in what the host logged, nor in a masked load.
    const masked = await invoke(desktop.base, "load_profile", { name: "Show" });
    assert.equal(JSON.stringify(masked.data).includes(first.accessToken), false);

    // Refreshed in the background before it expires; the new one differs and works.
    await waitFor(async () => (await storedTwitch(desktop.base)).expiresAt !== firstExpiry, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: "the background refresh of the access token",
    });
    assert.deepEqual(oidc.grants(), ["authorization_code", "refresh_token"]);
    const second = oidc.issued()[1]!;
    assert.notEqual(second.accessToken, first.accessToken);
    assert.notEqual(second.refreshToken, first.refreshToken, "the provider rotates refresh tokens");
    const info = await oidc.userinfo(second.accessToken);
    assert.equal(info.status, 200);
    assert.equal((info.body as { sub: string }).sub, USER.id);
    const stored = await storedTwitch(desktop.base);
    assert.ok(stored.expiresAt * 1000 > Date.now() + 30 * 60_000, "the new token lives an hour");
    const rawAfter = await databaseBytes(desktop.dataDir);
    assert.equal(rawAfter.includes(second.accessToken), false, "refreshed token in plaintext");

    // Forget: the revocation endpoint sees the stored (rotated) refresh token and the access
    // token, the sign-in is gone, and the revoked refresh token no longer refreshes.
    await page.reload();
    await twitch.getByRole("button", { name: "Sign out of Twitch" }).click();
    await twitch.getByRole("button", { name: "Sign in with Twitch" }).waitFor();
    assert.deepEqual(oidc.revoked(), [second.refreshToken, second.accessToken]);
    assert.deepEqual(
      (await invoke(desktop.base, "oauth_get_account", { provider: "twitch" })).data,
      {
        loggedIn: false,
      },
    );
    const after = await storedTwitch(desktop.base);
    assert.equal(after.accessToken, "");
    assert.equal(after.refreshToken, "");
    const refused = await invoke(desktop.base, "oauth_refresh_token", {
      provider: "twitch",
      refreshToken: second.refreshToken!,
    });
    assert.equal(refused.ok, false);
    assert.match(refused.error ?? "", /invalid_grant/);
    assert.equal((await oidc.userinfo(second.accessToken)).status, 401, "grant revoked");

    // `oauth_complete` told the dashboards who signed in; no event, log line or log file
    // carried a token or the client secret.
    const completes = events.frames.map((f) => JSON.parse(f)).filter((e) =>
      e.event === "oauth_complete"
    );
    assert.deepEqual(completes.map((e) => e.payload), [{
      provider: "twitch",
      userId: USER.id,
      username: USER.username,
      displayName: USER.name,
    }]);
    const seen = [desktop.output(), await logFiles(desktop.dataDir), events.frames.join("\n")];
    assert.ok(seen[1]!.includes("Signed in"), "the log files were read");
    for (const text of seen) {
      for (const token of [first.accessToken, first.refreshToken!, second.accessToken]) {
        assert.equal(text.includes(token), false, "a token reached a log or an event");
      }
      assert.equal(text.includes(CLIENT.clientSecret), false, "the client secret was logged");
    }
    // The provider's own pages ask for a web font and a favicon it does not have: not ours.
    const ours = (await console.errors()).filter((error) =>
      !error.includes("fonts.googleapis.com") && !error.includes(`${issuer}/favicon.ico`)
    );
    assert.deepEqual(ours, []);
  } finally {
    await events.close();
    await browser.close();
    await oidc?.close();
    await desktop.stop();
  }
});

Deno.test("oauth sign-in on a token-protected host with SPIRITSTREAM_OAUTH_REDIRECT_URL: the provider's cross-site redirect back (no SameSite=Strict cookie on it) still finishes the sign-in", async () => {
  await ensureBuilt();
  const token = "oauth-web-test-token-0123456789";
  const port = freePort();
  const issuerPort = freePort();
  const redirect = `http://127.0.0.1:${port}/oauth/callback`;
  const desktop = await startDesktop({
    SPIRITSTREAM_PORT: String(port),
    SPIRITSTREAM_API_TOKEN: token,
    SPIRITSTREAM_OAUTH_REDIRECT_URL: redirect,
    SPIRITSTREAM_TWITCH_CLIENT_ID: CLIENT.clientId,
    SPIRITSTREAM_TWITCH_CLIENT_SECRET: CLIENT.clientSecret,
    SPIRITSTREAM_TWITCH_OAUTH_ISSUER: `http://127.0.0.1:${issuerPort}`,
    SPIRITSTREAM_TWITCH_OAUTH_SCOPES: "openid profile",
  });
  let oidc: OidcProvider | null = null;
  const browser = await launchBrowser();
  try {
    oidc = await startOidcProvider({
      port: issuerPort,
      clients: [{ ...CLIENT, redirectUris: [redirect] }],
      users: [USER],
    });
    const call = (command: string, args: unknown) =>
      fetch(`${desktop.base}/api/invoke/${command}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(args),
      }).then((res) => res.json());
    assert.equal((await call("save_profile", { profile: demoProfile("Show") })).ok, true);
    assert.equal((await call("load_profile", { name: "Show", setActive: true })).ok, true);

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/integrations`);
    await page.getByLabel("Access token").fill(token);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    const twitch = page.locator('[data-oauth="twitch"]');
    await twitch.getByRole("button", { name: "Sign in with Twitch" }).click();
    await signInAtProvider(page, oidc.issuer);
    await twitch.getByText(`Signed in as ${USER.name} (@${USER.username})`).waitFor();
    assert.equal((await call("oauth_get_account", { provider: "twitch" })).data.userId, USER.id);
    const ours = (await console.errors()).filter((error) =>
      !error.includes("fonts.googleapis.com") && !error.includes(`${oidc!.issuer}/favicon.ico`)
    );
    assert.deepEqual(ours, []);
  } finally {
    await browser.close();
    await oidc?.close();
    await desktop.stop();
  }
});
