import { Buffer } from "node:buffer";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { ConnectionCap } from "./connection_cap.ts";

/** How long a client may take, and how many connections one server keeps. */
export interface HttpLimits {
  /** Request line and headers must arrive within this (slowloris). @default 10000 */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this. @default 30000 */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. @default 5000 */
  keepAliveTimeoutMs: number;
  /** Open HTTP connections; at the cap the oldest idle one makes room. @default 1000 */
  maxConnections: number;
}

/**
 * Defaults: a browser sends its headers in one packet, so 10 s is generous even on a poor link,
 * yet bounds what a dribbling socket holds (Deno.serve held one 30 s); the body limit (1 MiB)
 * arrives in 30 s at 35 KB/s; browsers reopen a closed idle connection transparently.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1_000,
};

/** What the handler gets beside the request. */
export interface HttpEnv {
  /** The peer, in `Deno.serve`'s shape (so `hono/deno`'s `getConnInfo` reads it). */
  remoteAddr: Deno.NetAddr;
  /** For an `Upgrade` request: the socket to hand to `Deno.upgradeWebSocket`. */
  upgrade?: { socket: Socket; head: Uint8Array };
}

/** The request handler: a Hono app's `fetch`. */
export type HttpHandler = (request: Request, env: HttpEnv) => Response | Promise<Response>;

/** Options for {@linkcode serveHttp}. */
export interface ServeHttpOptions {
  hostname: string;
  port: number;
  limits?: Partial<HttpLimits>;
}

/** A listening server. */
export interface HttpServer {
  addr: Deno.NetAddr;
  /** Open HTTP connections (not counting upgraded WebSockets). */
  connections(): number;
  /** Stops listening, closes idle connections, waits for requests in flight. */
  shutdown(): Promise<void>;
}

/** How long `shutdown()` waits for requests in flight before closing their connections. */
const SHUTDOWN_GRACE_MS = 5_000;
/** How often Node's HTTP server checks the header and request deadlines. */
const CHECK_INTERVAL_MS = 500;

/**
 * Serves `handler` over `node:http`, whose header, request and keep-alive deadlines Deno.serve
 * lacks; WebSocket upgrades reach the handler with the socket in `env.upgrade`.
 */
export async function serveHttp(
  handler: HttpHandler,
  options: ServeHttpOptions,
): Promise<HttpServer> {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const cap = new ConnectionCap(limits.maxConnections);
  // No global Request/Response swap: the desktop process has more in it than this server.
  const listener = getRequestListener(
    (request, env) => handler(request, { remoteAddr: remoteAddr(env.incoming.socket as Socket) }),
    { overrideGlobalObjects: false },
  );
  const server = http.createServer({
    connectionsCheckingInterval: Math.min(CHECK_INTERVAL_MS, limits.headersTimeoutMs),
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  }, (req, res) => {
    const socket = req.socket as Socket;
    cap.busy(socket);
    res.once("close", () => cap.done(socket));
    res.once("finish", () => discardUnreadBody(req));
    void listener(req, res);
  });
  server.on("connection", (socket: Socket) => cap.admit(socket));
  server.on("upgrade", (req: http.IncomingMessage, socket: Socket, head: Uint8Array) => {
    cap.release(socket);
    void upgrade(handler, { req, socket, head });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    addr: { transport: "tcp", hostname: address.address, port: address.port },
    connections: () => cap.size,
    async shutdown() {
      // Not server.close()'s callback: it never fires once a socket was upgraded (Deno owns it).
      server.close();
      server.closeIdleConnections();
      await cap.drained(SHUTDOWN_GRACE_MS);
      server.closeAllConnections();
    },
  };
}

async function upgrade(
  handler: HttpHandler,
  options: { req: http.IncomingMessage; socket: Socket; head: Uint8Array },
): Promise<void> {
  const { req, socket, head } = options;
  let response: Response;
  try {
    const request = new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, {
      method: req.method ?? "GET",
      headers: headerPairs(req.rawHeaders),
    });
    response = await handler(request, {
      remoteAddr: remoteAddr(socket),
      upgrade: { socket, head },
    });
  } catch {
    response = new Response("Bad request", { status: 400 });
  }
  // 101: Deno.upgradeWebSocket wrote it and owns the socket now.
  if (response.status === 101) return;
  const body = new Uint8Array(await response.arrayBuffer());
  const lines = [`HTTP/1.1 ${response.status} ${http.STATUS_CODES[response.status] ?? ""}`];
  response.headers.forEach((value, name) => {
    if (name !== "content-length" && name !== "connection") lines.push(`${name}: ${value}`);
  });
  lines.push(`content-length: ${body.length}`, "connection: close", "", "");
  socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
}

/**
 * A response sent before its request body was read (413 for a streamed body over the limit): read
 * and drop the rest, within the request deadline, so the client gets to read the response. A
 * socket closed with unread data sends a reset that can destroy the response in flight. The web
 * stream that stopped reading must not pause the request again, so its listener goes.
 */
function discardUnreadBody(req: http.IncomingMessage): void {
  if (req.readableEnded || req.destroyed) return;
  req.removeAllListeners("data");
  req.on("data", () => {});
  req.resume();
}

function headerPairs(raw: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}

function remoteAddr(socket: Socket): Deno.NetAddr {
  return { transport: "tcp", hostname: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
}
