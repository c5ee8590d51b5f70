import assert from "node:assert/strict";
import { EVENTS } from "@spiritstream/contracts";
import { createEventPublisher } from "@spiritstream/bus";
import { startInspircd, waitFor } from "@spiritstream/testing";
import { startHarness } from "../testdata/harness.ts";
import { sampleProfile, secret } from "../testdata/profiles.ts";
import { IrcClient } from "./testdata/irc_client.ts";

// InspIRCd speaks IRCv3 (CAP, message-tags, msgid, server-time) but none of Twitch's own tags
// (badges, color, display-name, tmi-sent-ts, user-id) or commands: irc_message_test.ts feeds
// the parser a recorded Twitch PRIVMSG for those.

const FAST = {
  twitchRetryDelaysMs: { first: 200, max: 1000 },
};

function chatEvents(h: { events: { event: string; payload: unknown }[] }, name: string) {
  return h.events.filter((e) => e.event === name).map((e) => e.payload as Record<string, unknown>);
}

Deno.test("Twitch chat against a real IRC server (InspIRCd): join, receive, send, server restart → reconnect; the token never leaks", async () => {
  const irc = await startInspircd();
  const h = await startHarness("sqlite", {
    chat: { endpoints: { ...FAST, twitchIrcUrl: `irc://127.0.0.1:${irc.port}` } },
  });
  let viewer = await IrcClient.join(irc.port, "viewer1", "#creator");
  try {
    const token = secret("twitchtoken");
    const profile = sampleProfile("Chat", {
      twitch: secret("tw"),
      youtube: secret("yt"),
      kick: secret("k"),
    });
    profile.settings = { chat: { twitchChannel: "creator", twitchSendEnabled: true } };
    await h.call("save_profile", { profile });
    await h.call("load_profile", { name: "Chat" });
    const config = {
      platform: "twitch" as const,
      enabled: true,
      credentials: {
        type: "twitch" as const,
        channel: "Creator",
        auth: { method: "userToken" as const, oauthToken: token },
      },
    };
    await h.call("connect_chat", { config });
    assert.deepEqual(await h.call("get_chat_status", {}), [
      { platform: "twitch", status: "connected", messageCount: 0, error: null },
    ]);
    assert.equal(await h.call("is_chat_connected", {}), true);
    const again = await h.fail("connect_chat", { config });
    assert.equal(again.code, "conflict");
    assert.equal(again.message, "twitch is already connected");

    await viewer.send("PRIVMSG #creator :hello from viewer1");
    const inbound = await waitFor(() => chatEvents(h, "chat_message")[0], { what: "chat_message" });
    assert.equal(inbound.platform, "twitch");
    assert.equal(inbound.username, "viewer1");
    assert.equal(inbound.message, "hello from viewer1");
    assert.equal(inbound.direction, "inbound");
    assert.match(String(inbound.id), /.+/, "InspIRCd's msgid tag");
    assert.ok(Math.abs(Number(inbound.timestamp) - Date.now()) < 60_000, "server-time tag");
    assert.equal(
      (await h.call("get_platform_chat_status", { platform: "twitch" }))?.messageCount,
      1,
    );

    const results = await h.call("send_chat_message", { message: "hi chat, thanks for coming" });
    assert.deepEqual(results, [{ platform: "twitch", success: true }]);
    const got = await viewer.waitFor((l) =>
      l.command === "PRIVMSG" && l.prefix?.startsWith("creator!") === true
    );
    assert.deepEqual(got.params, ["#creator", "hi chat, thanks for coming"]);
    const echo = await waitFor(() =>
      chatEvents(h, "chat_message").find((m) => m.direction === "outbound")
    );
    assert.equal(echo.username, "You");
    assert.deepEqual(echo.platforms, ["twitch"]);
    // A line break in a message must not become a second IRC command.
    await h.call("send_chat_message", { message: "one\r\nQUIT :gone" });
    const joined = await viewer.waitFor((l) =>
      l.command === "PRIVMSG" && l.params[1] === "one QUIT :gone"
    );
    assert.ok(joined);

    await viewer.close();
    await irc.restart();
    await waitFor(() => chatEvents(h, "chat_connection_lost")[0], { what: "chat_connection_lost" });
    await waitFor(() => chatEvents(h, "chat_connection_restored")[0], {
      timeoutMs: 20_000,
      what: "chat_connection_restored",
    });
    assert.equal((await h.call("get_chat_status", {}))[0]?.status, "connected");
    viewer = await IrcClient.join(irc.port, "viewer2", "#creator");
    await viewer.send("PRIVMSG #creator :back again");
    await waitFor(() => chatEvents(h, "chat_message").find((m) => m.message === "back again"), {
      what: "message after the restart",
    });
    const found = await h.call("chat_search_session", { query: "VIEWER1", limit: null });
    assert.deepEqual(found.map((m) => m.message), ["hello from viewer1"]);

    await h.call("disconnect_chat", { platform: "twitch" });
    assert.deepEqual(await h.call("get_chat_status", {}), []);
    const everything = JSON.stringify(h.events) + h.logs.join("\n");
    assert.equal(everything.includes(token), false, "the token is in an event or a log line");
  } finally {
    await viewer.close();
    await h.close();
    await irc.stop();
  }
});

Deno.test("Twitch chat: go-live auto-connects the profile's channel (anonymous, read-only), logs the session to chatlog_<yyyymmdd-HH>.jsonl (0600), stop disconnects", async () => {
  const irc = await startInspircd();
  const h = await startHarness("sqlite", {
    chat: { endpoints: { ...FAST, twitchIrcUrl: `irc://127.0.0.1:${irc.port}` } },
  });
  const viewer = await IrcClient.join(irc.port, "fan", "#streamer");
  try {
    const profile = sampleProfile("Live", {
      twitch: secret("tw"),
      youtube: secret("yt"),
      kick: secret("k"),
    });
    profile.settings = { chat: { twitchChannel: "streamer" } };
    await h.call("save_profile", { profile });
    await h.call("load_profile", { name: "Live" });
    assert.deepEqual(await h.call("chat_get_log_status", {}), { active: false, startedAt: null });
    const events = createEventPublisher(h.bus, EVENTS);
    const status = (state: string) => ({
      groupId: "default",
      targetId: "t1",
      state,
      attempt: 0,
      nextRetryMs: null,
      error: null,
    });
    // What the encoder emits when a target goes out, then stops.
    await events.emit("local", "target_status", status("connecting") as never);
    await waitFor(() => chatEvents(h, "chat_auto_connected")[0], { what: "chat_auto_connected" });
    const log = await h.call("chat_get_log_status", {});
    assert.equal(log.active, true);
    assert.equal((await h.call("get_chat_status", {}))[0]?.status, "connected");

    await viewer.send("PRIVMSG #streamer :first!");
    await waitFor(() => chatEvents(h, "chat_message")[0], { what: "chat_message" });
    const sent = await h.call("send_chat_message", { message: "anyone?" }).catch((e) => e);
    assert.match(String(sent.message), /No chat to send to/);

    const stamp = new Date(log.startedAt!).toISOString();
    const name = `chatlog_${stamp.slice(0, 4)}${stamp.slice(5, 7)}${stamp.slice(8, 10)}-${
      stamp.slice(11, 13)
    }.jsonl`;
    const path = `${h.dir}/logs/${name}`;
    const lines = await waitFor(async () => {
      const text = await Deno.readTextFile(path).catch(() => "");
      return text.trim() ? text.trim().split("\n").map((l) => JSON.parse(l)) : null;
    }, { what: "the chat log line" });
    assert.equal(lines[0].message, "first!");
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);

    await events.emit("local", "target_status", status("stopped") as never);
    await waitFor(() => chatEvents(h, "chat_auto_disconnected")[0], { what: "auto-disconnect" });
    assert.deepEqual(await h.call("get_chat_status", {}), []);
    assert.equal((await h.call("chat_get_log_status", {})).active, false);
    const retry = await h.fail("retry_chat_connection", { platform: "twitch" });
    assert.match(retry.message, /No stream is active/);
  } finally {
    await viewer.close();
    await h.close();
    await irc.stop();
  }
});
