import assert from "node:assert/strict";
import { startHarness } from "../testdata/harness.ts";
import { RecentIds } from "./recent_ids.ts";

Deno.test("connect_chat: TikTok, Kick, Trovo, Facebook and Stripchat each answer one clear not_implemented error naming the platform", async () => {
  const h = await startHarness("sqlite");
  try {
    const cases = [
      ["tiktok", { type: "tiktok", username: "someone" }, /^TikTok chat is not supported: /],
      ["kick", { type: "kick", channel: "someone" }, /^Kick chat is not supported: /],
      ["trovo", { type: "trovo", channelId: "123" }, /^Trovo chat is not supported: /],
      [
        "facebook",
        { type: "facebook", videoId: "1", accessToken: "EAAGsecret123" },
        /^Facebook chat is not supported: /,
      ],
      ["stripchat", { type: "stripchat", username: "x" }, /^Stripchat chat is not supported: /],
    ] as const;
    for (const [platform, credentials, message] of cases) {
      const error = await h.fail("connect_chat", {
        config: { platform, enabled: true, credentials: credentials as never },
      });
      assert.equal(error.code, "not_implemented", platform);
      assert.match(error.message, message);
      const retry = await h.fail("retry_chat_connection", { platform });
      assert.equal(retry.code, "not_implemented");
    }
    assert.equal(JSON.stringify(h.logs).includes("EAAGsecret123"), false);
  } finally {
    await h.close();
  }
});

Deno.test("connect_chat: appOAuth without a stored token says to sign in; bad channel and token name the field", async () => {
  const h = await startHarness("sqlite");
  try {
    const twitch = (auth: unknown, channel = "creator") => ({
      config: {
        platform: "twitch" as const,
        enabled: true,
        credentials: { type: "twitch" as const, channel, auth: auth as never },
      },
    });
    const noToken = await h.fail("connect_chat", twitch({ method: "appOAuth", accessToken: "" }));
    assert.match(noToken.message, /^No Twitch OAuth token stored for this profile: please sign in/);
    const youtube = await h.fail("connect_chat", {
      config: {
        platform: "youtube",
        enabled: true,
        credentials: { type: "youtube", channelId: "UCx", auth: { method: "appOAuth" } },
      },
    });
    assert.match(youtube.message, /^No YouTube OAuth token stored/);
    const channel = await h.fail("connect_chat", twitch(null, "no spaces!"));
    assert.match(channel.message, /^Invalid argument "config\.credentials\.channel": /);
    const token = await h.fail("connect_chat", twitch({ method: "userToken", oauthToken: "a b" }));
    assert.match(token.message, /^Invalid argument "config\.credentials\.auth\.oauthToken": /);
    const mismatch = await h.fail("connect_chat", {
      config: {
        platform: "twitch",
        enabled: true,
        credentials: { type: "kick", channel: "x" },
      },
    });
    assert.match(mismatch.message, /config\.credentials\.type/);
  } finally {
    await h.close();
  }
});

Deno.test("chat_export_log: writes the session's messages only by the export-path rule (never outside, never over a file)", async () => {
  const home = await Deno.makeTempDir({ prefix: "spiritstream-chat-home-" });
  const h = await startHarness("sqlite", { homeDir: home });
  try {
    const outside = await h.fail("chat_export_log", { path: "/etc/chat.jsonl" });
    assert.match(outside.message, /^Invalid argument "path": must be inside the "exports" folder/);
    const hidden = await h.fail("chat_export_log", { path: `${home}/.ssh/authorized_keys` });
    assert.equal(hidden.code, "invalid_argument");
    const data = await h.fail("chat_export_log", { path: `${h.dir}/profiles.db-chat` });
    assert.match(data.message, /must be inside the "exports" folder/);
    await h.call("chat_export_log", { path: `${home}/chat.jsonl` });
    assert.equal(await Deno.readTextFile(`${home}/chat.jsonl`), "");
    const again = await h.fail("chat_export_log", { path: `${home}/chat.jsonl` });
    assert.match(again.message, /a file already exists there/);
    await h.call("chat_export_log", { path: home });
    const names = (await Array.fromAsync(Deno.readDir(home))).map((e) => e.name);
    assert.ok(names.some((n) => /^spiritstream-chat-\d{8}-\d{6}\.jsonl$/.test(n)), names.join());
  } finally {
    await h.close();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("RecentIds: a repeat within the last 5,000 ids is dropped; older ones are forgotten", () => {
  const ids = new RecentIds(5000);
  assert.equal(ids.add("a"), true);
  assert.equal(ids.add("a"), false);
  for (let i = 0; i < 5000; i++) ids.add(`m${i}`);
  assert.equal(ids.size, 5000);
  assert.equal(ids.add("m4999"), false);
  assert.equal(ids.add("a"), true, "a fell out of the window");
});
