// Measures what a flooding IRC server costs the profiles service (heap and RSS growth, messages
// passed on): `deno run -A --v8-flags=--expose-gc services/profiles/chat/testdata/measure_flood.ts
// --messages=200000`. The hostile server runs in the same process: its strings count too.
import { parseArgs } from "node:util";
import { startHarness } from "../../testdata/harness.ts";
import { HostileIrc, welcome } from "./hostile_irc.ts";

const { values } = parseArgs({ args: Deno.args, options: { messages: { type: "string" } } });
const count = Number(values.messages ?? 200_000);
const text = "x".repeat(400);
const irc = HostileIrc.start(async (line, client) => {
  if (!await welcome(line, client) || !line.startsWith("JOIN ")) return;
  for (let i = 0; i < count; i += 10_000) {
    const batch = Array.from(
      { length: Math.min(10_000, count - i) },
      (_, j) => `@msgid=m${i + j} :v!u@h PRIVMSG #creator :${text} ${i + j}\r\n`,
    );
    await client.write(batch.join(""));
  }
});
const h = await startHarness("sqlite", {
  chat: { endpoints: { twitchIrcUrl: `irc://127.0.0.1:${irc.port}` } },
});
(globalThis as { gc?: () => void }).gc?.();
const before = Deno.memoryUsage();
const started = performance.now();
await h.call("connect_chat", {
  config: {
    platform: "twitch",
    enabled: true,
    credentials: { type: "twitch", channel: "creator", auth: null },
  },
});
let peakRss = 0;
let peakHeap = 0;
for (let i = 0; i < 40; i++) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const now = Deno.memoryUsage();
  peakRss = Math.max(peakRss, now.rss);
  peakHeap = Math.max(peakHeap, now.heapUsed);
}
const passed = h.events.filter((e) => e.event === "chat_message").length;
const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
// deno-lint-ignore no-console -- a measuring script prints its result
console.log(
  `flood of ${count} messages: ${passed} passed on; peak heap +${
    mib(peakHeap - before.heapUsed)
  } MiB, peak RSS +${mib(peakRss - before.rss)} MiB over ${
    ((performance.now() - started) / 1000).toFixed(1)
  } s`,
);
await h.close();
await irc.close();
