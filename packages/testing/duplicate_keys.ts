/**
 * The keys that occur more than once in one object of a JSON text, as `path.key` (JSON.parse
 * silently keeps the last of them). Throws on text that is not JSON.
 */
export function duplicateKeys(json: string): string[] {
  return new DuplicateKeyScanner(json).scan();
}

class DuplicateKeyScanner {
  readonly #text: string;
  #at = 0;
  readonly #found: string[] = [];

  constructor(text: string) {
    this.#text = text;
  }

  scan(): string[] {
    this.#value("");
    this.#space();
    if (this.#at !== this.#text.length) this.#fail("trailing text");
    return this.#found;
  }

  #value(path: string): void {
    this.#space();
    const c = this.#text[this.#at];
    if (c === "{") return this.#object(path);
    if (c === "[") return this.#array(path);
    if (c === '"') return void this.#string();
    const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(
      this.#text.slice(this.#at, this.#at + 64),
    );
    if (!match) this.#fail("a value");
    this.#at += match![0].length;
  }

  #object(path: string): void {
    this.#at++;
    const seen = new Set<string>();
    this.#space();
    if (this.#text[this.#at] === "}") return void this.#at++;
    for (;;) {
      this.#space();
      const key = this.#string();
      if (seen.has(key)) this.#found.push(path ? `${path}.${key}` : key);
      seen.add(key);
      this.#expect(":");
      this.#value(path ? `${path}.${key}` : key);
      this.#space();
      if (this.#text[this.#at] === "}") return void this.#at++;
      this.#expect(",");
    }
  }

  #array(path: string): void {
    this.#at++;
    this.#space();
    if (this.#text[this.#at] === "]") return void this.#at++;
    for (let i = 0;; i++) {
      this.#value(`${path}[${i}]`);
      this.#space();
      if (this.#text[this.#at] === "]") return void this.#at++;
      this.#expect(",");
    }
  }

  #string(): string {
    const match = /^"(?:[^"\\]|\\.)*"/s.exec(this.#text.slice(this.#at));
    if (!match) this.#fail("a string");
    this.#at += match![0].length;
    return JSON.parse(match![0]);
  }

  #expect(char: string): void {
    this.#space();
    if (this.#text[this.#at] !== char) this.#fail(`"${char}"`);
    this.#at++;
  }

  #space(): void {
    while (/\s/.test(this.#text[this.#at] ?? "")) this.#at++;
  }

  #fail(what: string): never {
    throw new SyntaxError(`Expected ${what} at ${this.#at}`);
  }
}
