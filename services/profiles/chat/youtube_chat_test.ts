import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import { harnessFor, messages, recordedYouTube } from "./testdata/recorded_youtube.ts";
import { secret } from "../testdata/profiles.ts";

// No real YouTube is reachable from here: see testdata/recorded_youtube.ts.

Deno.test("YouTube chat with an API key (recorded YouTube responses): finds the live chat, polls pages, maps and de-duplicates messages, reads only; the key never leaks", async () => {
  const key = `AIza${secret("ytkey")}`;
  const { server } = await recordedYouTube({ key });
  const { h, client } = await harnessFor(server);
  try {
    const channelId = "UCSRxggvSRj0FzcvwZCzbawg";
    const config = (k: string) => ({
      platform: "youtube" as const,
      enabled: true,
      credentials: {
        type: "youtube" as const,
        channelId,
        auth: { method: "apiKey" as const, key: k },
      },
    });
    const wrong = await h.fail("connect_chat", { config: config(`AIza${secret("wrong")}`) });
    assert.match(
      wrong.message,
      /^Failed to connect to youtube: YouTube API search: 400 badRequest \(API key not valid/,
    );
    await h.call("connect_chat", { config: config(key) });
    const seen = await waitFor(() => messages(h).length >= 3 ? messages(h) : null, {
      what: "three YouTube messages",
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // more polls: no repeats
    assert.deepEqual(messages(h).map((m) => m.message), [
      "hello from YouTube 👋",
      "€5.00 from Jonas K: keep it up!",
      "what game is this?",
    ]);
    assert.deepEqual(seen[0], {
      id:
        "LCC.CjgKDQoLamZLZlBmeUpSZGsqJwoYVUNTUnhnZ3ZTUmowRnpjdndaQ3piYXdnEgtqZktmUGZ5SlJkaxI5ChpDTUhEMHZlQTZQZ0NGWTNDd2dRZEJ3SU9ndxIbQ0p2cjJ2V0E2UGdDRlpPV3dnRWROY1FJNXcwMQ",
      platform: "youtube",
      username: "Mara Lind",
      message: "hello from YouTube 👋",
      timestamp: Date.parse("2026-12-02T01:02:11.349Z"),
      direction: "inbound",
      sourceId: "UCh8pLtbO3t3xLDaQDQ2b9ZA",
      color: null,
      badges: ["member"],
    });
    assert.deepEqual(seen[1]!.badges, ["moderator"]);
    const paths = server.requests.map((r) => r.url.pathname);
    assert.ok(paths.includes("/youtube/v3/search") && paths.includes("/youtube/v3/videos"));
    const polled = server.requests.filter((r) => r.url.pathname.endsWith("liveChat/messages"));
    assert.equal(
      polled[0]!.url.searchParams.get("liveChatId"),
      "KicKGFVDU1J4Z2d2U1JqMEZ6Y3Z3WkN6YmF3dxILamZLZlBmeUpSZGs",
    );
    assert.equal(polled[1]!.url.searchParams.get("pageToken"), "GOW_8pXo9PgCIK2X0bXo9PgC");
    const status = await h.call("get_platform_chat_status", { platform: "youtube" });
    assert.equal(status?.status, "connected");
    assert.equal(status?.messageCount, 3);
    const send = await h.fail("send_chat_message", { message: "hi" });
    assert.match(send.message, /No chat to send to/, "an API key reads only");
    const everything = JSON.stringify(h.events) + h.logs.join("\n") + JSON.stringify(status);
    assert.equal(everything.includes(key), false, "the API key is in an event, a log or a status");
  } finally {
    await h.close();
    client.close();
    await server.stop();
  }
});

Deno.test("YouTube chat with OAuth (recorded YouTube responses): own broadcast, send with liveChatMessages.insert, own message not shown twice, chat end → error", async () => {
  const token = `ya29.${secret("access")}`;
  const { server, state } = await recordedYouTube({ token });
  const { h, client } = await harnessFor(server);
  try {
    const config = {
      platform: "youtube" as const,
      enabled: true,
      credentials: {
        type: "youtube" as const,
        channelId: "",
        auth: { method: "appOAuth" as const, accessToken: token },
      },
    };
    await h.call("connect_chat", { config });
    await waitFor(() => messages(h).length >= 3, { what: "three YouTube messages" });
    const results = await h.call("send_chat_message", { message: "thanks for watching!" });
    assert.deepEqual(results, [{ platform: "youtube", success: true }]);
    const insert = server.requests.find((r) => r.method === "POST")!;
    assert.equal(insert.url.searchParams.get("part"), "snippet");
    assert.deepEqual(JSON.parse(insert.body), {
      snippet: {
        liveChatId: "KicKGFVDU1J4Z2d2U1JqMEZ6Y3Z3WkN6YmF3dxILamZLZlBmeUpSZGs",
        type: "textMessageEvent",
        textMessageDetails: { messageText: "thanks for watching!" },
      },
    });
    await waitFor(() => state.ended, { what: "the chat to end" });
    const lost = await waitFor(() => h.events.find((e) => e.event === "chat_connection_lost"));
    assert.match(String((lost.payload as { error: string }).error), /403 liveChatEnded/);
    const own = messages(h).filter((m) => m.message === "thanks for watching!");
    assert.equal(own.length, 1, "only the outbound echo, not the polled copy");
    assert.equal(own[0]!.direction, "outbound");
    assert.equal(own[0]!.username, "You");
    const everything = JSON.stringify(h.events) + h.logs.join("\n");
    assert.equal(everything.includes(token), false, "the access token leaked");
  } finally {
    await h.close();
    client.close();
    await server.stop();
  }
});
