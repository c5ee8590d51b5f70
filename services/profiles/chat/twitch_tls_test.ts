import assert from "node:assert/strict";
import { createLogger } from "@spiritstream/kit";
import { freePort, startInspircd, startTlsFront } from "@spiritstream/testing";
import type { ChatLinkEvents } from "./chat_link.ts";
import { TwitchChat, type TwitchChatOptions } from "./twitch_chat.ts";
import { parseIrcUrl } from "./twitch_irc_url.ts";

const logger = createLogger({ level: "warn", destination: { write: () => {} } });
const events: ChatLinkEvents = { message: () => {}, status: () => {} };

function chat(options: Partial<TwitchChatOptions> & Pick<TwitchChatOptions, "server">) {
  return new TwitchChat({ channel: "creator", token: null, events, logger, ...options });
}

Deno.test("TwitchChat over ircs:// (TLS in front of a real IRC server): PASS oauth:<token> admits it; a wrong token or an untrusted certificate fails with an error that holds no token", async () => {
  const token = `tok${crypto.randomUUID().replaceAll("-", "")}`;
  const irc = await startInspircd({ password: `oauth:${token}` });
  const tls = await startTlsFront(irc.passwordPort!);
  const server = parseIrcUrl(`ircs://localhost:${tls.port}`);
  try {
    const good = chat({ server, token, caCerts: [tls.trust] });
    await good.connect();
    assert.equal(good.status, "connected");
    assert.equal(good.canSend, true);
    await good.close();

    const wrong = `bad${crypto.randomUUID().replaceAll("-", "")}`;
    const refused = chat({ server, token: wrong, caCerts: [tls.trust], connectTimeoutMs: 5000 });
    const error = await refused.connect().then(() => null, (e: Error) => e);
    assert.match(String(error?.message), /^Failed to connect to twitch: /);
    assert.equal(String(error?.message).includes(wrong), false);
    assert.equal(refused.status, "error");
    await refused.close();

    const untrusted = chat({ server, token });
    const tlsError = await untrusted.connect().then(() => null, (e: Error) => e);
    assert.match(
      String(tlsError?.message),
      /^Failed to connect to twitch: .*(certificate|issuer)/i,
    );
    assert.equal(String(tlsError?.message).includes(token), false);
    await untrusted.close();
  } finally {
    await tls.close();
    await irc.stop();
  }
});

Deno.test("TwitchChat: a server that accepts and then says nothing fails within the connect timeout", async () => {
  const port = freePort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const silent = chat({ server: parseIrcUrl(`irc://127.0.0.1:${port}`), connectTimeoutMs: 500 });
    const error = await silent.connect().then(() => null, (e: Error) => e);
    assert.equal(error?.message, "Failed to connect to twitch: no answer within 0.5 s");
    await silent.close();
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});

Deno.test("TwitchChat over ircs://: a server that takes the connection but never finishes the TLS handshake fails within the connect timeout (no connect_chat held forever)", async () => {
  const port = freePort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    const server = parseIrcUrl(`ircs://localhost:${port}`);
    const loris = chat({ server, token: "tok1234567", connectTimeoutMs: 500 });
    const started = Date.now();
    const outcome = await Promise.race([
      loris.connect().then(() => "connected", (e: Error) => e.message),
      new Promise<string>((resolve) => setTimeout(() => resolve("still waiting"), 8000)),
    ]);
    assert.equal(outcome, "Failed to connect to twitch: no answer within 0.5 s");
    assert.ok(Date.now() - started < 8000);
    assert.equal(loris.status, "error");
    await loris.close();
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of held) conn.close();
  }
});
