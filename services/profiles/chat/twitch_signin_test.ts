import assert from "node:assert/strict";
import { EVENTS } from "@spiritstream/contracts";
import { createEventPublisher } from "@spiritstream/bus";
import { startInspircd, startOidcProvider, waitFor } from "@spiritstream/testing";
import { oauthConfigFromEnv } from "../oauth/oauth_config.ts";
import { type Harness, startHarness } from "../testdata/harness.ts";
import { sampleProfile } from "../testdata/profiles.ts";
import { IrcClient } from "./testdata/irc_client.ts";

const REDIRECT = "http://127.0.0.1:8008/oauth/callback";
const CLIENT = { clientId: "chat-signin", clientSecret: "chat-signin-secret-9f1" };
// A moderator's account signed in for the creator's channel: Twitch wants its login as NICK.
const USER = { id: "modbot", username: "modbot", name: "ModBot" };
const APP_OAUTH = {
  config: {
    platform: "twitch" as const,
    enabled: true,
    credentials: {
      type: "twitch" as const,
      channel: "creator",
      auth: { method: "appOAuth" as const, accessToken: "" },
    },
  },
};

async function signIn(h: Harness, oidc: Awaited<ReturnType<typeof startOidcProvider>>) {
  const flow = await h.call("oauth_start_flow", { provider: "twitch" });
  const back = await oidc.authorize(flow.authUrl, USER.id);
  await h.call("oauth_complete_flow", {
    provider: "twitch",
    code: back.searchParams.get("code")!,
    state: back.searchParams.get("state")!,
  });
  return oidc.issued().at(-1)!;
}

Deno.test("connect_chat appOAuth with an empty accessToken uses the profile's Twitch sign-in (real OpenID provider, real IRC server): PASS oauth:<signed-in token> and NICK <its login>, refreshed first when it runs out within a minute; go-live connects the same way", async () => {
  const oidc = await startOidcProvider({
    clients: [{ ...CLIENT, redirectUris: [REDIRECT] }],
    users: [USER],
    accessTokenTtl: 3600,
    refreshedAccessTokenTtl: 3600,
  });
  // Read when a link is made: the IRC server's port is known only once the token is.
  const endpoints: { twitchIrcUrl?: string } = {};
  const h = await startHarness("sqlite", {
    chat: { endpoints },
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
  let irc: Awaited<ReturnType<typeof startInspircd>> | null = null;
  let viewer: IrcClient | null = null;
  try {
    const profile = sampleProfile("Main", { twitch: "k1", youtube: "k2", kick: "k3" });
    profile.settings = { chat: { twitchChannel: "creator", twitchSendEnabled: true } };
    await h.call("save_profile", { profile });
    await h.call("load_profile", { name: "Main", setActive: true });
    const first = await signIn(h, oidc);

    // The IRC server admits only PASS oauth:<the token the provider issued at sign-in>.
    irc = await startInspircd({ password: `oauth:${first.accessToken}` });
    viewer = await IrcClient.join(irc.port, "viewer1", "#creator");
    endpoints.twitchIrcUrl = `irc://127.0.0.1:${irc.passwordPort}`;
    await h.call("connect_chat", APP_OAUTH);
    assert.equal((await h.call("get_chat_status", {}))[0]?.status, "connected");
    assert.deepEqual(await h.call("send_chat_message", { message: "signed in" }), [
      { platform: "twitch", success: true },
    ]);
    const said = await viewer.waitFor((l) =>
      l.command === "PRIVMSG" && l.params[1] === "signed in"
    );
    assert.match(String(said.prefix), /^modbot!/, "NICK is the signed-in login, not the channel");
    await h.call("disconnect_chat", { platform: "twitch" });

    // A sign-in that runs out within a minute is refreshed before chat gets it.
    oidc.setAccessTokenTtl(50);
    await signIn(h, oidc);
    const grants = oidc.grants().length;
    endpoints.twitchIrcUrl = `irc://127.0.0.1:${irc.port}`;
    await h.call("connect_chat", APP_OAUTH);
    assert.deepEqual(oidc.grants().slice(grants), ["refresh_token"]);
    await h.call("send_chat_message", { message: "after a refresh" });
    await viewer.waitFor((l) => l.command === "PRIVMSG" && l.params[1] === "after a refresh");

    // Going live connects with the sign-in as well (its login as NICK, so sending works).
    await h.call("disconnect_chat", { platform: "twitch" });
    const events = createEventPublisher(h.bus, EVENTS);
    const status = { groupId: "default", targetId: "t1", state: "connecting" as const, attempt: 0 };
    await events.emit("local", "target_status", { ...status, nextRetryMs: null, error: null });
    await waitFor(() => h.events.find((e) => e.event === "chat_auto_connected"), {
      what: "chat_auto_connected",
    });
    await h.call("send_chat_message", { message: "live now" });
    const live = await viewer.waitFor((l) => l.command === "PRIVMSG" && l.params[1] === "live now");
    assert.match(
      String(live.prefix),
      /^modbot!/,
      "go-live connected as the channel, not the login",
    );

    const everything = JSON.stringify(h.events) + h.logs.join("\n");
    for (const issued of oidc.issued()) {
      assert.equal(everything.includes(issued.accessToken), false, "a token in an event or log");
    }
  } finally {
    await viewer?.close();
    await h.close();
    await irc?.stop();
    await oidc.close();
  }
});
