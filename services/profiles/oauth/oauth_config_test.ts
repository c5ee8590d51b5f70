import assert from "node:assert/strict";
import { ConfigError } from "@spiritstream/kit";
import { oauthConfigFromEnv } from "./oauth_config.ts";

Deno.test("oauthConfigFromEnv: no env = Twitch's and Google's real endpoints and no client", () => {
  const config = oauthConfigFromEnv({});
  assert.equal(config.redirectUrl, null);
  assert.equal(config.providers.twitch.clientId, null);
  assert.equal(config.providers.twitch.authorizeUrl, "https://id.twitch.tv/oauth2/authorize");
  assert.equal(config.providers.twitch.userinfoStyle, "twitch-helix");
  assert.equal(config.providers.youtube.tokenUrl, "https://oauth2.googleapis.com/token");
  assert.equal(config.providers.youtube.extraParams.access_type, "offline");
});

Deno.test("oauthConfigFromEnv: an issuer replaces the built-in endpoints (discovery), a named endpoint wins over it", () => {
  const config = oauthConfigFromEnv({
    SPIRITSTREAM_TWITCH_CLIENT_ID: " abc ",
    SPIRITSTREAM_TWITCH_OAUTH_ISSUER: "https://id.example.com",
    SPIRITSTREAM_TWITCH_OAUTH_REVOKE_URL: "https://id.example.com/custom/revoke",
    SPIRITSTREAM_TWITCH_OAUTH_SCOPES: "openid  chat:read",
    SPIRITSTREAM_OAUTH_REDIRECT_URL: "https://stream.example.com/oauth/callback",
  });
  const twitch = config.providers.twitch;
  assert.equal(twitch.clientId, "abc");
  assert.equal(twitch.issuer, "https://id.example.com");
  assert.equal(twitch.authorizeUrl, null);
  assert.equal(twitch.revokeUrl, "https://id.example.com/custom/revoke");
  assert.equal(twitch.userinfoStyle, "oidc");
  assert.deepEqual(twitch.scopes, ["openid", "chat:read"]);
  assert.equal(config.redirectUrl, "https://stream.example.com/oauth/callback");
  // The other provider keeps its defaults.
  assert.equal(
    config.providers.youtube.authorizeUrl,
    "https://accounts.google.com/o/oauth2/v2/auth",
  );
});

Deno.test("oauthConfigFromEnv: http only on loopback, no credentials in URLs, the redirect ends in /oauth/callback", () => {
  const cases: [string, string, RegExp][] = [
    [
      "SPIRITSTREAM_TWITCH_OAUTH_TOKEN_URL",
      "http://id.example.com/token",
      /must be an https:\/\/ URL/,
    ],
    [
      "SPIRITSTREAM_YOUTUBE_OAUTH_ISSUER",
      "https://user:pw@id.example.com",
      /must be an https:\/\/ URL/,
    ],
    ["SPIRITSTREAM_TWITCH_OAUTH_AUTHORIZE_URL", "not a url", /must be an https:\/\/ URL/],
    [
      "SPIRITSTREAM_OAUTH_REDIRECT_URL",
      "https://stream.example.com/callback",
      /must end in \/oauth\/callback/,
    ],
    ["SPIRITSTREAM_OAUTH_REDIRECT_URL", "http://stream.example.com/oauth/callback", /https:\/\//],
  ];
  for (const [name, value, rule] of cases) {
    assert.throws(() => oauthConfigFromEnv({ [name]: value }), (error: unknown) => {
      assert.ok(error instanceof ConfigError, name);
      assert.equal(error.variable, name);
      assert.match(error.message, rule);
      return true;
    });
  }
  const local = oauthConfigFromEnv({
    SPIRITSTREAM_TWITCH_OAUTH_ISSUER: "http://127.0.0.1:9000",
    SPIRITSTREAM_OAUTH_REDIRECT_URL: "http://localhost:8008/oauth/callback",
  });
  assert.equal(local.providers.twitch.issuer, "http://127.0.0.1:9000");
});
