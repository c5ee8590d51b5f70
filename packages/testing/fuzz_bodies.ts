/** A seeded random source in [0, 1). */
export type Rand = () => number;

/** mulberry32: a small seeded PRNG, so a failing body replays exactly from its seed. */
export function prng(seed: number): Rand {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit seed for a name (each command gets its own stream of bodies). */
export function seedOf(name: string, base: number): number {
  let h = base >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Request bodies that are not JSON objects: every command must refuse them with a 400. */
export const NON_OBJECT_BODIES = [
  "{",
  "[]",
  "[{}]",
  "null",
  "1e999",
  "123",
  "true",
  '"just a string"',
  '{"a":',
  "\u0000\u0001",
  "{}{}",
  "{'single': 'quotes'}",
  "[".repeat(5000),
  "[".repeat(100_000),
  '{"a":1,}',
  "NaN",
];

const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "",
  "\u0000",
  "a".repeat(300),
];
// No "/" or "\" in generated text: a path argument that happens to validate must stay inside
// the host's working directory (its temp data dir), never reach the real file system.
const STRINGS = [
  "",
  " ",
  "\u0000",
  "\u202e",
  "\ud800",
  "🎥配信",
  "'; DROP TABLE profiles; --",
  "$1",
  "${HOME}",
  "%00",
  "null",
  "NaN",
  "-1",
  "<script>alert(1)</script>",
  "x".repeat(5000),
  "\r\n\t",
];
const NUMBERS = [0, -1, 1, 2 ** 53, -(2 ** 53), 1e308, -1e-308, 0.5, 65536, 99999999];
const SECRET_FIELD = /key|password|passphrase|token|secret/i;

/** What one generated body is and which secret-looking values it carries. */
export interface FuzzBody {
  text: string;
  /** Values put in secret-named fields: they must never reach a log line or an event. */
  secrets: string[];
}

/** One element of `list`, drawn with `rand`. */
export function pick<T>(rand: Rand, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)]!;
}

/** What one body's generation carries along: the string corpus and the secrets it planted. */
interface Draw {
  strings: readonly string[];
  secrets: string[];
}

function randomString(rand: Rand, strings: readonly string[]): string {
  if (rand() < 0.5) return pick(rand, strings);
  const length = Math.floor(rand() * 40);
  let out = "";
  for (let i = 0; i < length; i++) {
    out += String.fromCharCode(Math.floor(rand() * (rand() < 0.9 ? 128 : 0xffff)));
  }
  return out.replace(/[/\\]/g, "_");
}

function randomValue(rand: Rand, depth: number, draw: Draw, key = ""): unknown {
  if (SECRET_FIELD.test(key) && rand() < 0.6) {
    const secret = `fz-secret-${Math.floor(rand() * 1e12).toString(36)}-${key.length}`;
    draw.secrets.push(secret);
    return secret;
  }
  const r = rand();
  if (depth > 3 || r < 0.15) return pick(rand, [null, true, false]);
  if (r < 0.3) return pick(rand, NUMBERS);
  if (r < 0.6) return randomString(rand, draw.strings);
  if (r < 0.75) {
    return Array.from(
      { length: Math.floor(rand() * 4) },
      () => randomValue(rand, depth + 1, draw),
    );
  }
  return randomObject(rand, depth + 1, [], draw);
}

function randomObject(
  rand: Rand,
  depth: number,
  keys: readonly string[],
  draw: Draw,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const pool = [...keys, ...keys, ...HOSTILE_KEYS, "name", "id", "url", "streamKey", "password"];
  const count = Math.floor(rand() * 6);
  for (let i = 0; i < count; i++) {
    const key = pick(rand, pool);
    // defineProperty: a "__proto__" key becomes an own property, as JSON.parse would make it.
    Object.defineProperty(out, key, {
      value: randomValue(rand, depth, draw, key),
      enumerable: true,
      configurable: true,
      writable: true,
    });
  }
  return out;
}

/** Options for {@linkcode fuzzBody}. */
export interface FuzzBodyOptions {
  /** false: only non-object bodies (for commands where any object is a valid call). */
  objects: boolean;
  /** Extra corpus strings for this caller's domain (picked verbatim, like the built-in ones). */
  strings?: readonly string[];
}

/**
 * One random body for a command whose argument names are `keys`: a non-object, a random
 * value, or (mostly) an object mixing the command's own keys with hostile ones and values of
 * every type. Seeded (see {@linkcode prng}), so a failing body replays exactly.
 */
export function fuzzBody(rand: Rand, keys: readonly string[], options: FuzzBodyOptions): FuzzBody {
  const draw: Draw = { strings: [...STRINGS, ...(options.strings ?? [])], secrets: [] };
  const r = rand();
  if (!options.objects || r < 0.15) {
    return { text: pick(rand, NON_OBJECT_BODIES), secrets: draw.secrets };
  }
  if (r < 0.25) {
    const value = randomValue(rand, 0, draw);
    const text = JSON.stringify(value) ?? "null";
    return { text: text.startsWith("{") ? "[]" : text, secrets: draw.secrets };
  }
  return { text: JSON.stringify(randomObject(rand, 0, keys, draw)), secrets: draw.secrets };
}

/** One random string: from the hostile corpus (plus `extra`) or random code units. */
export function fuzzString(rand: Rand, extra: readonly string[] = []): string {
  return randomString(rand, [...STRINGS, ...extra]);
}
