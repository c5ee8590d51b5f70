import assert from "node:assert/strict";
import type { ChatConnectionStatus } from "@spiritstream/contracts";
import { createLogger } from "@spiritstream/kit";
import { freePort, startInspircd, waitFor } from "@spiritstream/testing";
import { TwitchChat } from "./twitch_chat.ts";
import { parseIrcUrl } from "./twitch_irc_url.ts";

const logger = createLogger({ level: "warn", destination: { write: () => {} } });

function chatOn(port: number, options: { idleMs?: number } = {}) {
  const statuses: ChatConnectionStatus[] = [];
  const chat = new TwitchChat({
    server: parseIrcUrl(`irc://127.0.0.1:${port}`),
    channel: "creator",
    token: null,
    logger,
    events: { message: () => {}, status: (s) => void statuses.push(s) },
    retryDelaysMs: { first: 200, max: 1000 },
    ...options,
  });
  return { chat, statuses };
}

Deno.test("TwitchChat answers the server's PINGs: a real IRC server that drops unanswered clients keeps it", async () => {
  const irc = await startInspircd({ pingFreqSecs: 2 });
  const { chat, statuses } = chatOn(irc.port);
  try {
    await chat.connect();
    // InspIRCd pings every 2 s and drops a client that has not answered by the next ping.
    await new Promise((resolve) => setTimeout(resolve, 6500));
    assert.equal(chat.status, "connected");
    assert.deepEqual(statuses, ["connecting", "connected"]);
  } finally {
    await chat.close();
    await irc.stop();
  }
});

Deno.test("TwitchChat: a server that freezes (SIGSTOP) is pinged, dropped and reconnected once it answers again", async () => {
  const irc = await startInspircd();
  const { chat, statuses } = chatOn(irc.port, { idleMs: 600 });
  try {
    await chat.connect();
    irc.pause();
    await waitFor(() => chat.status === "error", { what: "the frozen link to be dropped" });
    assert.match(String(chat.error), /^(Connection lost|Reconnect failed)/);
    irc.resume();
    await waitFor(() => chat.status === "connected", { timeoutMs: 20_000, what: "reconnected" });
    assert.deepEqual(statuses.slice(0, 3), ["connecting", "connected", "error"]);
  } finally {
    irc.resume();
    await chat.close();
    await irc.stop();
  }
});

Deno.test("TwitchChat: Twitch's recorded login refusal ends the link without retries and without the token", async () => {
  // What irc.chat.twitch.tv answers a wrong token (recorded), then it closes the connection.
  const REFUSAL = ":tmi.twitch.tv NOTICE * :Login authentication failed\r\n";
  const port = freePort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  let connections = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      connections++;
      await conn.write(new TextEncoder().encode(REFUSAL)).catch(() => 0);
      setTimeout(() => conn.close(), 100);
    }
  })();
  const token = `tok${crypto.randomUUID().replaceAll("-", "")}`;
  const chat = new TwitchChat({
    server: parseIrcUrl(`irc://127.0.0.1:${port}`),
    channel: "creator",
    token,
    logger,
    events: { message: () => {}, status: () => {} },
    retryDelaysMs: { first: 100, max: 100 },
  });
  try {
    const error = await chat.connect().then(() => null, (e: Error) => e);
    assert.equal(
      error?.message,
      "Failed to connect to twitch: Twitch refused the token: Login authentication failed",
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(connections, 1, "no retry after a refusal");
    assert.equal(chat.status, "error");
  } finally {
    await chat.close();
    listener.close();
    await serving.catch(() => {});
  }
});
