import type { Socket } from "node:net";

/**
 * Bounds the open connections of one server. At the cap, a new connection closes the oldest
 * *idle* one (still sending its first request's headers, or kept alive between requests)
 * rather than being turned away: sockets that dribble headers cannot lock a real client out.
 * Connections with a request in flight are never closed for another.
 */
export class ConnectionCap {
  readonly #max: number;
  /** Idle sockets, oldest first (a Map keeps insertion order). */
  readonly #idle = new Map<Socket, true>();
  /** Sockets with requests in flight, and how many (pipelining). */
  readonly #busy = new Map<Socket, number>();

  constructor(max: number) {
    this.#max = max;
  }

  /** How many connections are tracked. */
  get size(): number {
    return this.#idle.size + this.#busy.size;
  }

  /** A new connection: makes room by closing the oldest idle one when at the cap. */
  admit(socket: Socket): void {
    if (this.size >= this.#max) {
      const oldest = this.#idle.keys().next();
      // Every connection has a request in flight: the newcomer is turned away.
      if (oldest.done) return void socket.destroy();
      this.#forget(oldest.value);
      oldest.value.destroy();
    }
    this.#idle.set(socket, true);
    socket.once("close", () => this.#forget(socket));
  }

  /** A request started on `socket`. */
  busy(socket: Socket): void {
    if (!this.#idle.delete(socket) && !this.#busy.has(socket)) return;
    this.#busy.set(socket, (this.#busy.get(socket) ?? 0) + 1);
  }

  /** A request on `socket` ended: with none left in flight it is idle again (the newest). */
  done(socket: Socket): void {
    const inFlight = (this.#busy.get(socket) ?? 0) - 1;
    if (inFlight > 0) return void this.#busy.set(socket, inFlight);
    if (!this.#busy.delete(socket) || socket.destroyed) return;
    this.#idle.set(socket, true);
  }

  /** Resolves once no request is in flight, or after `timeoutMs`. */
  async drained(timeoutMs: number): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.#busy.size > 0 && performance.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** The socket left HTTP (upgraded to a WebSocket, which has its own limits). */
  release(socket: Socket): void {
    this.#forget(socket);
  }

  #forget(socket: Socket): void {
    this.#idle.delete(socket);
    this.#busy.delete(socket);
  }
}
