import assert from "node:assert/strict";
import { startInspircd, waitFor } from "@spiritstream/testing";
import { secret } from "../testdata/profiles.ts";
import { IrcClient } from "./testdata/irc_client.ts";
import { harnessFor, messages, recordedYouTube } from "./testdata/recorded_youtube.ts";

Deno.test("cross-post (real IRC server + recorded YouTube responses): YouTube chat goes to Twitch and Twitch chat to YouTube, tagged with its origin, never back again", async () => {
  const token = `ya29.${secret("access")}`;
  const { server } = await recordedYouTube({ token });
  const irc = await startInspircd();
  const { h, client } = await harnessFor(server, {
    twitchIrcUrl: `irc://127.0.0.1:${irc.port}`,
    settings: { crosspostEnabled: true, twitchChannel: "creator" },
  });
  const viewer = await IrcClient.join(irc.port, "viewer", "#creator");
  try {
    await h.call("connect_chat", {
      config: {
        platform: "twitch",
        enabled: true,
        credentials: {
          type: "twitch",
          channel: "creator",
          auth: { method: "userToken", oauthToken: secret("twitchtoken") },
        },
      },
    });
    await h.call("connect_chat", {
      config: {
        platform: "youtube",
        enabled: true,
        credentials: {
          type: "youtube",
          channelId: "",
          auth: { method: "appOAuth", accessToken: token },
        },
      },
    });
    const relayed = await viewer.waitFor((l) =>
      l.command === "PRIVMSG" && l.params[1] === "[youtube] Mara Lind: hello from YouTube 👋"
    );
    assert.ok(relayed);
    await viewer.send("PRIVMSG #creator :greetings from twitch");
    const insert = await waitFor(() =>
      server.requests.find((r) => r.method === "POST" && r.body.includes("greetings from twitch"))
    );
    assert.equal(
      JSON.parse(insert.body).snippet.textMessageDetails.messageText,
      "[twitch] viewer: greetings from twitch",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    // What we posted to YouTube comes back in its next page: it is not relayed to Twitch.
    const echoed = viewer.lines.filter((l) =>
      l.command === "PRIVMSG" && l.params[1]?.includes("thanks for watching")
    );
    assert.deepEqual(echoed, []);
    const relays = viewer.lines.filter((l) => l.params[1]?.startsWith("[youtube]"));
    assert.equal(relays.length, 3, relays.map((l) => l.params[1]).join(" | "));
    assert.ok(messages(h).some((m) => m.message === "greetings from twitch"));
  } finally {
    await viewer.close();
    await h.close();
    client.close();
    await server.stop();
    await irc.stop();
  }
});
