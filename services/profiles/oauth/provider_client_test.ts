import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { oauthConfigFromEnv } from "./oauth_config.ts";
import { ProviderClient } from "./provider_client.ts";

/* Twitch cannot be reached from here: these answers are Twitch's own, as its API reference
 * documents them (token: scope as an array; Helix users), served by a loopback server. */
const TWITCH_TOKEN = {
  access_token: "rfx2uswqe8l4g1mkagrvg5tv0ks3",
  expires_in: 14124,
  refresh_token: "5b93chm6hdve3mycz05zfzatkfdenfspp1h1ar2xxdalen01",
  scope: ["chat:edit", "chat:read"],
  token_type: "bearer",
};
const HELIX_USERS = {
  data: [{
    id: "141981764",
    login: "twitchdev",
    display_name: "TwitchDev",
    type: "",
    broadcaster_type: "partner",
    description: "Supporting third-party developers building Twitch integrations.",
    created_at: "2016-12-14T20:32:28Z",
  }],
};

Deno.test("ProviderClient (recorded Twitch responses): token answer with an array scope, Helix users with Client-Id, revoke 400 for a gone token is fine", async () => {
  const seen: { path: string; headers: Headers; body: string }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    seen.push({ path, headers: req.headers, body: await req.text() });
    if (path === "/oauth2/token") return Response.json(TWITCH_TOKEN);
    if (path === "/helix/users") return Response.json(HELIX_USERS);
    if (path === "/oauth2/revoke") {
      return Response.json({ status: 400, message: "Invalid token" }, { status: 400 });
    }
    return new Response("no", { status: 404 });
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const settings = oauthConfigFromEnv({
      SPIRITSTREAM_TWITCH_CLIENT_ID: "cid",
      SPIRITSTREAM_TWITCH_CLIENT_SECRET: "csecret",
      SPIRITSTREAM_TWITCH_OAUTH_AUTHORIZE_URL: `${base}/oauth2/authorize`,
      SPIRITSTREAM_TWITCH_OAUTH_TOKEN_URL: `${base}/oauth2/token`,
      SPIRITSTREAM_TWITCH_OAUTH_REVOKE_URL: `${base}/oauth2/revoke`,
      SPIRITSTREAM_TWITCH_OAUTH_USERINFO_URL: `${base}/helix/users`,
    }).providers.twitch;
    const client = new ProviderClient("twitch", () => settings);
    const url = new URL(
      await client.authorizeUrl({ state: "twitch.s", challenge: "c", redirectUri: "http://x/cb" }),
    );
    assert.equal(
      url.searchParams.get("scope"),
      "chat:read chat:edit user:read:chat user:write:chat",
    );
    const tokens = await client.exchangeCode({
      code: "abc",
      verifier: "v",
      redirectUri: "http://x/cb",
    });
    assert.deepEqual(tokens.scope, ["chat:edit", "chat:read"]);
    const form = new URLSearchParams(seen[0]!.body);
    assert.equal(form.get("code_verifier"), "v");
    assert.equal(form.get("client_secret"), "csecret");
    assert.deepEqual(await client.account(tokens.access_token), {
      userId: "141981764",
      username: "twitchdev",
      displayName: "TwitchDev",
    });
    assert.equal(seen[1]!.headers.get("client-id"), "cid");
    assert.equal(seen[1]!.headers.get("authorization"), `Bearer ${TWITCH_TOKEN.access_token}`);
    assert.equal(await client.revoke(tokens.access_token, "access_token"), true);
  } finally {
    await server.shutdown();
  }
});

Deno.test("ProviderClient: a refused refresh says invalid_grant and never echoes the token or the provider's description", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    Response.json({
      error: "invalid_grant",
      error_description: "grant request is invalid: token rt-secret-token-123 not found",
    }, { status: 400 }));
  try {
    const settings = oauthConfigFromEnv({
      SPIRITSTREAM_YOUTUBE_CLIENT_ID: "cid",
      SPIRITSTREAM_YOUTUBE_OAUTH_TOKEN_URL: `http://127.0.0.1:${server.addr.port}/token`,
    }).providers.youtube;
    const client = new ProviderClient("youtube", () => settings);
    await assert.rejects(client.refresh("rt-secret-token-123"), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "failed_precondition");
      assert.equal(error.message, "Google refused to issue tokens (invalid_grant): sign in again");
      return true;
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("ProviderClient: a token answer whose tokens hold CR LF, NUL or a space is refused (they go on IRC's PASS line and in headers)", async () => {
  let answer: Record<string, unknown> = {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => Response.json(answer),
  );
  try {
    const settings = oauthConfigFromEnv({
      SPIRITSTREAM_TWITCH_CLIENT_ID: "cid",
      SPIRITSTREAM_TWITCH_OAUTH_TOKEN_URL: `http://127.0.0.1:${server.addr.port}/token`,
    }).providers.twitch;
    const client = new ProviderClient("twitch", () => settings);
    for (
      const bad of [
        { access_token: "tok\r\nJOIN #elsewhere" },
        { access_token: "tok\u0000x" },
        { access_token: "two words" },
        { access_token: "fine-token", refresh_token: "rt\nPRIVMSG #x :hi" },
      ]
    ) {
      answer = bad;
      await assert.rejects(client.refresh("rt-1234567"), (error: unknown) => {
        assert.ok(error instanceof AppError);
        assert.equal(error.message, "Twitch answered tokens in an unknown shape");
        return true;
      });
    }
    answer = { access_token: "fine-token", refresh_token: "rt-next" };
    assert.equal((await client.refresh("rt-1234567")).access_token, "fine-token");
  } finally {
    await server.shutdown();
  }
});
