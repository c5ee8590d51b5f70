import assert from "node:assert/strict";
import { startInspircd } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { IrcClient } from "../services/profiles/chat/testdata/irc_client.ts";
import { withCleanup } from "./with_cleanup.ts";

// InspIRCd (IRCv3 message tags) stands in for irc.chat.twitch.tv; it sends none of Twitch's
// own tags (badges, color, display-name), which irc_message_test.ts covers from a recorded line.
Deno.test("Twitch chat end to end: a real gateway and /ws client see chat_message events from a real IRC server, and sending reaches the channel", () =>
  withCleanup(async (defer) => {
    const irc = await startInspircd();
    defer(() => irc.stop());
    const host = await startDesktopHost({
      env: { SPIRITSTREAM_TWITCH_IRC_URL: `irc://127.0.0.1:${irc.port}` },
    });
    defer(() => host.stop());
    const ws = await host.ws();
    defer(() => ws.close());
    const viewer = await IrcClient.join(irc.port, "viewer", "#host");
    defer(() => viewer.close());
    const token = `tok${crypto.randomUUID().replaceAll("-", "")}`;
    await host.call("connect_chat", {
      config: {
        platform: "twitch",
        enabled: true,
        credentials: {
          type: "twitch",
          channel: "host",
          auth: { method: "userToken", oauthToken: token },
        },
      },
    });
    await viewer.send("PRIVMSG #host :hello over the wire");
    const frame = await ws.next<{ message: string }>(
      "chat_message",
      (m) => m.message === "hello over the wire",
      { timeoutMs: 15_000 },
    );
    const payload = frame.payload as Record<string, unknown>;
    assert.equal(payload.platform, "twitch");
    assert.equal(payload.username, "viewer");
    assert.equal(payload.direction, "inbound");
    const results = await host.call("send_chat_message", { message: "welcome in" });
    assert.deepEqual(results, [{ platform: "twitch", success: true }]);
    await viewer.waitFor((l) => l.command === "PRIVMSG" && l.params[1] === "welcome in");
    await ws.next<{ username: string }>("chat_message", (m) => m.username === "You");
    const status = await host.call<{ status: string }[]>("get_chat_status");
    assert.equal(status[0]?.status, "connected");
    assert.equal(ws.raw.join("\n").includes(token), false, "the token reached a /ws client");
    for await (const entry of Deno.readDir(`${host.dataDir}/logs`)) {
      const text = await Deno.readTextFile(`${host.dataDir}/logs/${entry.name}`);
      assert.equal(text.includes(token), false, `the token is in ${entry.name}`);
    }
    assert.equal([...host.process.lines, ...host.process.errLines].join().includes(token), false);
  }));
