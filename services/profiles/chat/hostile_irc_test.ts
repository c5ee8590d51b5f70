import assert from "node:assert/strict";
import { createLogger } from "@spiritstream/kit";
import { waitFor } from "@spiritstream/testing";
import { startHarness } from "../testdata/harness.ts";
import { CHAT_BOUNDS } from "./bound_message.ts";
import { HostileIrc, welcome } from "./testdata/hostile_irc.ts";
import { TwitchChat } from "./twitch_chat.ts";
import { parseIrcUrl } from "./twitch_irc_url.ts";

// A real TCP server speaking just enough IRC to be hostile: what Twitch (or a server an
// operator points SPIRITSTREAM_TWITCH_IRC_URL at) could send, and InspIRCd never would.

function twitchConfig(token: string | null) {
  return {
    config: {
      platform: "twitch" as const,
      enabled: true,
      credentials: {
        type: "twitch" as const,
        channel: "creator",
        auth: token === null ? null : { method: "userToken" as const, oauthToken: token },
      },
    },
  };
}

Deno.test("connect_chat against a hostile IRC server that quotes our PASS in a 6 KiB refusal: the token is in no error, status, event or log, and the text is cut to 300 characters", async () => {
  const token = `tok${crypto.randomUUID().replaceAll("-", "")}`;
  const irc = HostileIrc.start(async (line, client) => {
    if (!line.startsWith("NICK ")) return;
    const pass = client.lines.find((l) => l.startsWith("PASS "))?.slice(5);
    const padding = "!".repeat(6000);
    await client.write(`:srv NOTICE * :Login authentication failed for ${pass} ${padding}\r\n`);
  });
  const h = await startHarness("sqlite", {
    chat: { endpoints: { twitchIrcUrl: `irc://127.0.0.1:${irc.port}` } },
  });
  try {
    const error = await h.fail("connect_chat", twitchConfig(token));
    assert.match(error.message, /^Failed to connect to twitch: Twitch refused the token: /);
    assert.ok(irc.clients[0]?.lines.includes(`PASS oauth:${token}`), "the server got the PASS");
    const statuses = await h.call("get_chat_status", {});
    assert.equal(statuses[0]?.status, "error");
    assert.ok(String(statuses[0]?.error).length <= 301, "a server's 6 KiB notice is cut");
    assert.ok(error.message.length <= 301);
    const seen = JSON.stringify({ error: error.message, statuses, events: h.events }) +
      h.logs.join("\n");
    assert.equal(seen.includes(token), false, "the token came back to the caller");
  } finally {
    await h.close();
    await irc.close();
  }
});

Deno.test("Twitch chat from a hostile IRC server: 8 KiB lines of tags and text, NUL and control bytes are cut to the chat bounds before the feed, the log and /ws", async () => {
  const irc = HostileIrc.start(async (line, client) => {
    if (!await welcome(line, client) || !line.startsWith("JOIN ")) return;
    const id = "i".repeat(2000);
    const name = "N".repeat(2000);
    const text = `<img src=x onerror=alert(1)>\u0000\u0007\u001b[31m${"x".repeat(4000)}`;
    await client.write(`@id=${id};display-name=${name} :v!u@h PRIVMSG #creator :${text}\r\n`);
  });
  const h = await startHarness("sqlite", {
    chat: { endpoints: { twitchIrcUrl: `irc://127.0.0.1:${irc.port}` } },
  });
  try {
    await h.call("connect_chat", twitchConfig(null));
    const event = await waitFor(
      () =>
        h.events.find((e) => e.event === "chat_message")?.payload as {
          id: string;
          username: string;
          message: string;
        },
      { what: "chat_message" },
    );
    assert.equal(event.id, "i".repeat(CHAT_BOUNDS.id));
    assert.equal(event.username, "N".repeat(CHAT_BOUNDS.username));
    assert.equal([...event.message].length, CHAT_BOUNDS.message);
    assert.ok(event.message.startsWith("<img src=x onerror=alert(1)> [31mxxx"), event.message);
    // deno-lint-ignore no-control-regex -- what must not reach the feed
    assert.equal(/[\u0000-\u001f\u007f]/.test(event.message), false);
    const [kept] = await h.call("chat_search_session", { query: "onerror", limit: null });
    assert.equal(kept?.message, event.message);
  } finally {
    await h.close();
    await irc.close();
  }
});

Deno.test("TwitchChat: a stored token holding CR LF never becomes a second IRC command", async () => {
  const irc = HostileIrc.start(async (line, client) => void await welcome(line, client));
  const logger = createLogger({ level: "warn", destination: { write: () => {} } });
  try {
    const chat = new TwitchChat({
      server: parseIrcUrl(`irc://127.0.0.1:${irc.port}`),
      channel: "creator",
      token: "tok1234\r\nJOIN #elsewhere",
      events: { message() {}, status() {} },
      logger,
      connectTimeoutMs: 2000,
    });
    await assert.rejects(chat.connect(), /^AppError: Failed to connect to twitch: /);
    await chat.close();
    const sent = irc.clients.flatMap((client) => client.lines);
    assert.equal(sent.some((line) => line.includes("#elsewhere")), false, sent.join(" | "));
  } finally {
    await irc.close();
  }
});

Deno.test("Twitch chat from a hostile IRC server: a flood of 5,000 messages at once passes at most 500 a second on to the feed, the log and /ws, and says so once", async () => {
  const irc = HostileIrc.start(async (line, client) => {
    if (!await welcome(line, client) || !line.startsWith("JOIN ")) return;
    const flood = Array.from(
      { length: 5000 },
      (_, i) => `@msgid=m${i} :v!u@h PRIVMSG #creator :flood ${i}\r\n`,
    );
    await client.write(flood.join(""));
    await client.write(":v!u@h PRIVMSG #creator :end of flood\r\n");
  });
  const h = await startHarness("sqlite", {
    chat: { endpoints: { twitchIrcUrl: `irc://127.0.0.1:${irc.port}` } },
  });
  try {
    await h.call("connect_chat", twitchConfig(null));
    const warned = await waitFor(
      () => h.logs.find((line) => line.includes("Chat is flooding")),
      { what: "the flood warning" },
    );
    assert.match(warned, /"dropped":\d+/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const passed = h.events.filter((e) => e.event === "chat_message").length;
    assert.ok(passed >= 500, `${passed} passed`);
    // The flood arrives within a second or two here (at most 500 each); 2,500 leaves room for a slow box.
    assert.ok(passed <= 2500, `${passed} of 5,000 flooded messages passed`);
    assert.equal(h.logs.filter((line) => line.includes("Chat is flooding")).length, 1);
  } finally {
    await h.close();
    await irc.close();
  }
});
