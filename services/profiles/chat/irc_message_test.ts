import assert from "node:assert/strict";
import { formatIrcLine, parseIrcLine } from "./irc_message.ts";
import { chatMessageFromIrc } from "./twitch_message.ts";

// Recorded from Twitch (irc.chat.twitch.tv with twitch.tv/tags): the tags a plain IRCv3 server
// such as InspIRCd never sends (badges, color, display-name, tmi-sent-ts, user-id, emotes).
const TWITCH_PRIVMSG =
  "@badge-info=subscriber/8;badges=broadcaster/1,subscriber/6,premium/1;client-nonce=" +
  "5e8d4f2b6c;color=#1E90FF;display-name=Ronni\\sGamer;emotes=25:0-4;first-msg=0;flags=;" +
  "id=b34ccfc7-4977-403a-8a94-33c6bac34fb8;mod=0;returning-chatter=0;room-id=1337;" +
  "subscriber=1;tmi-sent-ts=1507246572675;turbo=0;user-id=1337;user-type= " +
  ":ronni!ronni@ronni.tmi.twitch.tv PRIVMSG #ronni :Kappa Keepo; Kappa :D";

Deno.test("parseIrcLine() reads a recorded Twitch PRIVMSG: tags unescaped, prefix, trailing", () => {
  const line = parseIrcLine(TWITCH_PRIVMSG)!;
  assert.equal(line.command, "PRIVMSG");
  assert.equal(line.prefix, "ronni!ronni@ronni.tmi.twitch.tv");
  assert.deepEqual(line.params, ["#ronni", "Kappa Keepo; Kappa :D"]);
  assert.equal(line.tags["display-name"], "Ronni Gamer");
  assert.equal(line.tags["user-type"], "");
  assert.equal(line.tags["emotes"], "25:0-4");
});

Deno.test("chatMessageFromIrc() maps Twitch's tags to a ChatMessage (display name, colour, badges, id, sent time)", () => {
  const message = chatMessageFromIrc(parseIrcLine(TWITCH_PRIVMSG)!, 42);
  assert.deepEqual(message, {
    id: "b34ccfc7-4977-403a-8a94-33c6bac34fb8",
    platform: "twitch",
    username: "Ronni Gamer",
    message: "Kappa Keepo; Kappa :D",
    timestamp: 1507246572675,
    direction: "inbound",
    sourceId: "1337",
    color: "#1E90FF",
    badges: ["broadcaster", "subscriber", "premium"],
  });
});

Deno.test("chatMessageFromIrc() on a plain IRCv3 server: msgid and server-time tags, nick as name; /me unwrapped", () => {
  const line = parseIrcLine(
    "@msgid=abc123;time=2026-12-02T01:02:03.456Z :viewer!v@127.0.0.1 PRIVMSG #chan :\u0001ACTION waves\u0001",
  )!;
  const message = chatMessageFromIrc(line, 42)!;
  assert.equal(message.id, "abc123");
  assert.equal(message.username, "viewer");
  assert.equal(message.message, "waves");
  assert.equal(message.timestamp, Date.parse("2026-12-02T01:02:03.456Z"));
  assert.equal(message.color, null);
  assert.equal(message.badges, null);
  assert.equal(chatMessageFromIrc(parseIrcLine(":a!b@c PRIVMSG me :private")!, 1), null);
});

Deno.test("parseIrcLine() refuses empty, prefix-only and overlong lines; tags escapes and bare tags", () => {
  assert.equal(parseIrcLine(""), null);
  assert.equal(parseIrcLine(":server.only"), null);
  assert.equal(parseIrcLine("@a=b"), null);
  assert.equal(parseIrcLine(`PRIVMSG #c :${"x".repeat(9000)}`), null);
  const line = parseIrcLine("@a=1\\s2\\:3\\\\4\\n;b;c= PING :tmi.twitch.tv")!;
  assert.deepEqual(line.tags, { a: "1 2;3\\4\n", b: "", c: "" });
  assert.deepEqual(line.params, ["tmi.twitch.tv"]);
});

Deno.test("formatIrcLine() never lets a message carry CR, LF or NUL (no second command)", () => {
  assert.equal(formatIrcLine("PRIVMSG", ["#c", "hello there"]), "PRIVMSG #c :hello there");
  assert.equal(formatIrcLine("JOIN", ["#c"]), "JOIN #c");
  assert.equal(formatIrcLine("PRIVMSG", ["#c", ":)"]), "PRIVMSG #c ::)");
  assert.throws(() => formatIrcLine("PRIVMSG", ["#c", "hi\r\nQUIT :bye"]), /CR, LF or NUL/);
  assert.throws(() => formatIrcLine("PRIVMSG", ["#c d", "x"]), /last IRC parameter/);
});
