import type { WsClient } from "./ws_connection.ts";

/**
 * A `/ws` server socket as the hub sees it, from the moment of the upgrade: the hub takes the
 * client (and its cursor) before the 101 answer can reach the browser, so what the hub sends
 * before the server-side `open` waits here, in order, and goes out first once the socket opens.
 * Without this, a client could see `open` and miss the next event (the server's own `open`
 * fires later, once its event loop gets round to it).
 */
export class WsSocketClient implements WsClient {
  readonly tenantId: string;
  #socket: WebSocket;
  #pending: string[] = [];
  #pendingBytes = 0;
  #closing: { code: number; reason: string } | null = null;

  constructor(socket: WebSocket, tenantId: string) {
    this.#socket = socket;
    this.tenantId = tenantId;
  }

  send(text: string): void {
    if (this.#socket.readyState !== WebSocket.CONNECTING) return this.#socket.send(text);
    if (this.#closing) return;
    this.#pending.push(text);
    this.#pendingBytes += text.length;
  }

  close(code: number, reason: string): void {
    if (this.#socket.readyState !== WebSocket.CONNECTING) return this.#socket.close(code, reason);
    this.#closing ??= { code, reason };
  }

  bufferedAmount(): number {
    return this.#socket.readyState === WebSocket.CONNECTING
      ? this.#pendingBytes
      : this.#socket.bufferedAmount;
  }

  /** The socket is open: writes what waited, then a close that was asked for meanwhile. */
  opened(): void {
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const text of pending) this.#socket.send(text);
    if (this.#closing) this.#socket.close(this.#closing.code, this.#closing.reason);
  }
}
