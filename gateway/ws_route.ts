import type { Context } from "hono";
import { AppError } from "@spiritstream/contracts";
import type { HttpEnv } from "@spiritstream/host";
import type { GatewayEnv } from "./app.ts";
import type { Authenticator } from "./auth.ts";
import { SESSION_ENDED_CODE, type WsHub } from "./ws_hub.ts";
import { parseWsQuery } from "./ws_query.ts";
import { WsSocketClient } from "./ws_socket_client.ts";

/** Seconds a `/ws` socket may stay silent (no pong) before it is deemed dead. */
const WS_IDLE_TIMEOUT_SECS = 30;

/**
 * `GET /ws`: upgrades and joins the hub in one step, before the 101 answer is on its way, so
 * "open" on the client means "subscribed from here on": every event published after it arrives.
 * `?since=<id>` replays what a reconnecting client missed; `?snapshot=1` sends state first.
 */
export function handleWsUpgrade(
  c: Context<GatewayEnv>,
  deps: { hub: WsHub; auth: Authenticator },
): Response {
  const join = parseWsQuery(c.req.query());
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError(
      "invalid_argument",
      "GET /ws needs a WebSocket upgrade (Upgrade: websocket)",
    );
  }
  const protocol = c.req.header("sec-websocket-protocol")?.split(",")[0]?.trim();
  // Under `serveHttp` (node:http) the upgrade goes through the socket in `env.upgrade`.
  const upgrade = (c.env as Partial<HttpEnv> | undefined)?.upgrade;
  const { response, socket } = Deno.upgradeWebSocket(c.req.raw, {
    idleTimeout: WS_IDLE_TIMEOUT_SECS,
    ...(protocol ? { protocol } : {}),
    ...(upgrade ? { socket: upgrade.socket, head: upgrade.head } : {}),
  });
  const client = new WsSocketClient(socket, c.get("principal").tenantId);
  // No await between the upgrade and here: no event can pass before the client is in the hub.
  const remove = deps.hub.add(client, join);
  // A session that ends (logout, revoked token, removed user) ends its sockets too.
  const unwatch = deps.auth.watch(c.get("credentials"), () => {
    remove();
    client.close(SESSION_ENDED_CODE, "Session ended: sign in again");
  });
  function end(): void {
    remove();
    unwatch();
  }
  socket.onopen = () => client.opened();
  // A failed upgrade fires only `error`; a closed socket fires `close`.
  socket.onclose = end;
  socket.onerror = end;
  return response;
}
