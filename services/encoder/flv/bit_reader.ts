import { AppError } from "@spiritstream/contracts";

/** Reads a bitstream MSB first, with the Exp-Golomb codes of H.264/HEVC parameter sets. */
export class BitReader {
  readonly #bytes: Uint8Array;
  readonly #what: string;
  #bit = 0;

  /** `what` names the structure in errors ("H.264 SPS"). */
  constructor(bytes: Uint8Array, what: string) {
    this.#bytes = bytes;
    this.#what = what;
  }

  /** One unsigned value of `n` bits (n ≤ 32). */
  u(n: number): number {
    let value = 0;
    for (let i = 0; i < n; i++) value = value * 2 + this.#next();
    return value;
  }

  flag(): boolean {
    return this.#next() === 1;
  }

  skip(n: number): void {
    if (this.#bit + n > this.#bytes.length * 8) this.#fail();
    this.#bit += n;
  }

  /** Unsigned Exp-Golomb (ue(v)). */
  ue(): number {
    let zeros = 0;
    while (this.#next() === 0) {
      if (++zeros > 31) this.#fail("an Exp-Golomb code longer than 32 bits");
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb (se(v)). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  #next(): number {
    if (this.#bit >= this.#bytes.length * 8) this.#fail();
    const byte = this.#bytes[this.#bit >> 3]!;
    const value = (byte >> (7 - (this.#bit & 7))) & 1;
    this.#bit++;
    return value;
  }

  #fail(why = "its end"): never {
    throw new AppError("invalid_argument", `${this.#what} is malformed: read past ${why}`);
  }
}

/** A NAL unit's RBSP: the bytes without the emulation-prevention 0x03 after every 0x0000. */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (const byte of nal) {
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[n++] = byte;
  }
  return out.subarray(0, n);
}
