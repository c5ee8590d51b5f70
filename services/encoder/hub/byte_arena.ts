/** Options for {@linkcode ByteArena}. */
export interface ByteArenaOptions {
  /** Size of each chunk of backing memory (a larger copy gets a chunk of its own size). */
  chunkBytes?: number;
}

/**
 * Copies of byte arrays in a few long-lived chunks that {@linkcode reset} reuses: for data kept
 * for a while and then dropped all at once (the hub's cached GOP). Fresh memory for each copy
 * would outlive V8's young generation and grow the old generation's external memory, whose
 * limit is what triggers the mark-compacts of the whole heap; reused chunks never do.
 *
 * A copy is valid until the next {@linkcode reset}: a holder that keeps one longer must copy it.
 */
export class ByteArena {
  readonly #chunkBytes: number;
  #chunks: Uint8Array[] = [];
  #index = 0;
  #offset = 0;

  constructor(options: ByteArenaOptions = {}) {
    this.#chunkBytes = options.chunkBytes ?? 1024 * 1024;
  }

  /** Bytes of backing memory held. */
  get capacity(): number {
    let total = 0;
    for (const chunk of this.#chunks) total += chunk.length;
    return total;
  }

  /** A copy of `bytes` in the arena. */
  copy(bytes: Uint8Array): Uint8Array {
    const length = bytes.length;
    let chunk = this.#chunks[this.#index];
    while (chunk !== undefined && this.#offset + length > chunk.length) {
      chunk = this.#chunks[++this.#index];
      this.#offset = 0;
    }
    if (chunk === undefined) {
      chunk = new Uint8Array(Math.max(this.#chunkBytes, length));
      this.#index = this.#chunks.push(chunk) - 1;
      this.#offset = 0;
    }
    const out = chunk.subarray(this.#offset, this.#offset + length);
    out.set(bytes);
    this.#offset += length;
    return out;
  }

  /** Makes all memory reusable: every copy handed out so far may be overwritten from now on. */
  reset(): void {
    this.#index = 0;
    this.#offset = 0;
  }

  /** Resets and drops the backing memory (the source left: nothing to keep warm). */
  release(): void {
    this.reset();
    this.#chunks = [];
  }
}
