import { defineWebSocketHelper, WSContext } from "hono/ws";
import type { HttpEnv } from "@spiritstream/host";

/** Options for {@linkcode upgradeWebSocket}. */
export interface UpgradeOptions {
  /** Seconds a socket may stay silent (no pong) before it is deemed dead. */
  idleTimeout: number;
}

/**
 * `hono/deno`'s WebSocket helper, over either server: under `Deno.serve` the upgrade goes
 * through the request; under `serveHttp` (node:http) through the socket in `env.upgrade`.
 */
export const upgradeWebSocket = defineWebSocketHelper<WebSocket, UpgradeOptions>(
  (c, events, options) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") return;
    const protocol = c.req.header("sec-websocket-protocol")?.split(",")[0]?.trim();
    const upgrade = (c.env as Partial<HttpEnv> | undefined)?.upgrade;
    const { response, socket } = Deno.upgradeWebSocket(c.req.raw, {
      ...(protocol ? { protocol } : {}),
      idleTimeout: options?.idleTimeout,
      ...(upgrade ? { socket: upgrade.socket, head: upgrade.head } : {}),
    });
    const context = new WSContext<WebSocket>({
      close: (code, reason) => socket.close(code, reason),
      get protocol() {
        return socket.protocol;
      },
      raw: socket,
      get readyState() {
        return socket.readyState as 0 | 1 | 2 | 3;
      },
      url: socket.url ? new URL(socket.url) : null,
      send: (source) => socket.send(source),
    });
    socket.onopen = (event) => events.onOpen?.(event, context);
    socket.onmessage = (event) => events.onMessage?.(event, context);
    socket.onclose = (event) => events.onClose?.(event, context);
    socket.onerror = (event) => events.onError?.(event, context);
    return response;
  },
);
