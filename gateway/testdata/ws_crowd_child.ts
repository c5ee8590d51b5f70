/**
 * The client side of `ws_crowd.ts`, run as its own process: opens `<count>` `/ws` sockets at
 * once, prints `{"type":"open",...}` once every one is open (or failed), then answers
 * `expect <marker> <timeoutMs>` with how many sockets received a frame containing the marker
 * after their `open`. Stops on `quit` or when stdin ends.
 *
 *   deno run -A gateway/testdata/ws_crowd_child.ts <count> <url>[,<url>...]
 * @module
 */

const [countArg = "1", urlsArg = ""] = Deno.args;
const urls = urlsArg.split(",").filter(Boolean);

/** Every frame text each socket received, in order. */
const received: string[][] = [];
const sockets: WebSocket[] = [];

function print(value: unknown): void {
  // deno-lint-ignore no-console
  console.log(JSON.stringify(value));
}

function connect(url: string): Promise<boolean> {
  const frames: string[] = [];
  const socket = new WebSocket(url);
  return new Promise((resolve) => {
    socket.onopen = () => {
      // Frames count from here: what the socket got after its own `open`.
      socket.onmessage = (event) => frames.push(String(event.data));
      sockets.push(socket);
      received.push(frames);
      resolve(true);
    };
    socket.onerror = () => resolve(false);
  });
}

async function expect(marker: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const got = () => received.filter((frames) => frames.some((f) => f.includes(marker))).length;
  while (got() < received.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  print({ type: "got", marker, received: got(), sockets: received.length });
}

const results = await Promise.all(
  Array.from({ length: Number(countArg) }, (_, i) => connect(urls[i % urls.length]!)),
);
print({
  type: "open",
  open: results.filter(Boolean).length,
  failed: results.filter((ok) => !ok).length,
});

const decoder = new TextDecoder();
let pending = "";
let quit = false;
for await (const chunk of Deno.stdin.readable) {
  pending += decoder.decode(chunk, { stream: true });
  let newline;
  while (!quit && (newline = pending.indexOf("\n")) >= 0) {
    const [command, marker = "", timeout = "10000"] = pending.slice(0, newline).trim().split(" ");
    pending = pending.slice(newline + 1);
    if (command === "expect") await expect(marker, Number(timeout));
    quit = command === "quit";
  }
  if (quit) break;
}
for (const socket of sockets) socket.close();
Deno.exit(0);
