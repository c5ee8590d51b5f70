import { concatBytes } from "../flv/bytes.ts";

/** Reads exact byte counts from a connection, keeping what it over-read for the next reader. */
export class ByteReader {
  #buffer: Uint8Array = new Uint8Array(0);
  constructor(private readonly conn: Deno.Conn) {}

  /** Resolves with exactly `n` bytes; throws when the peer closes first. */
  async readExact(n: number): Promise<Uint8Array> {
    while (this.#buffer.length < n) {
      const chunk = new Uint8Array(Math.max(4096, n - this.#buffer.length));
      const read = await this.conn.read(chunk);
      if (read === null) throw new Error("Connection closed by peer");
      this.#buffer = concatBytes([this.#buffer, chunk.subarray(0, read)]);
    }
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.slice(n);
    return out;
  }

  /** Hands over (and forgets) the bytes read but not yet consumed. */
  takeBuffered(): Uint8Array {
    const out = this.#buffer;
    this.#buffer = new Uint8Array(0);
    return out;
  }
}
