/**
 * Benchmark helper for `bench/ws_fanout.ts`: the runtime's floor for the invoke → last client
 * row. A bare `Deno.serve` + `Deno.upgradeWebSocket` server with none of our code: it answers
 * `POST /api/invoke/get_settings` with `{ok:true,data:{}}` and `POST /api/invoke/save_settings` by
 * sending one `settings_changed` frame to every socket, then `{ok:true,data:null}`. The clients'
 * `invoke` command then measures what the same fan-out costs this machine without SpiritStream.
 *
 *   deno run -A bench/ws_fanout_floor.ts <port>
 *
 * Prints `{"type":"ready"}` once listening; stops on SIGTERM.
 * @module
 */

const port = Number(Deno.args[0] ?? 0);
const sockets = new Set<WebSocket>();
let id = 0;

function answer(data: unknown): Response {
  return Response.json({ ok: true, data, error: null });
}

Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (request) => {
  const { pathname } = new URL(request.url);
  if (pathname === "/api/invoke/get_settings") return answer({});
  if (pathname === "/api/invoke/save_settings") {
    const text = `{"event":"settings_changed","payload":{},"id":"${++id}"}`;
    for (const socket of sockets) socket.send(text);
    return answer(null);
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => sockets.add(socket);
  socket.onclose = () => sockets.delete(socket);
  return response;
});
// deno-lint-ignore no-console
console.log(JSON.stringify({ type: "ready" }));
