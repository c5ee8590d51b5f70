const SECRET_KEY =
  /^(.*(tokens?|passwords?|passphrases?|secrets?|apikey|api_key|authorization|cookie|webhookurl|streamkey|privatekey)|key|passwd)$/i;
const MASK = "[REDACTED]";

/** Rewrites secrets out of text and objects before they reach logs, events or errors. */
export interface Redactor {
  /** Remembers a secret value so every later occurrence in any text is masked. */
  add(secret: string | null | undefined): void;
  /** Masks known secrets, stream-key URL segments, bearer tokens and `ENC::` blobs in text. */
  scrub(text: string): string;
  /** Returns a copy with secret-named keys masked and every string scrubbed. */
  scrubDeep<T>(value: T): T;
}

/** Masks the stream-key part of a publish URL: the path after the application segment. */
export function redactUrl(url: string): string {
  return url
    .replace(
      /\b((?:rtmps?|rtmpt|rtmpe):\/\/[^/\s'"]+\/[^/\s'"?]+)\/[^\s'"|\]]+/gi,
      "$1/***",
    )
    .replace(/([?&](?:streamid|passphrase|key|token)=)[^&\s'"|\]]+/gi, "$1***")
    // A webhook URL's last segment is its credential (Discord: /api/webhooks/<id>/<token>).
    .replace(/(\/api\/webhooks\/[^/\s'"]+\/)[^/\s'"?|\]]+/gi, "$1***");
}

/** Creates a redactor; `main` makes one and hands it to the logger and the services. */
export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  function scrub(text: string): string {
    let out = redactUrl(text)
      .replace(/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g, "Bearer ***")
      .replace(/ENC::[A-Za-z0-9+/=]{8,}/g, "ENC::***");
    for (const secret of secrets) {
      if (out.includes(secret)) out = out.split(secret).join("***");
    }
    return out;
  }
  function scrubDeep<T>(value: T, depth = 0): T {
    if (typeof value === "string") return scrub(value) as T;
    if (depth > 8 || value === null || typeof value !== "object") return value;
    if (value instanceof Error) return scrubError(value) as T;
    if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1)) as T;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY.test(k) && v !== "" && v !== null && typeof v !== "boolean"
        ? MASK
        : scrubDeep(v, depth + 1);
    }
    return out as T;
  }
  function scrubError(error: Error): Record<string, unknown> {
    return {
      type: error.name,
      message: scrub(error.message),
      stack: error.stack ? scrub(error.stack) : undefined,
      code: (error as { code?: unknown }).code,
    };
  }
  return {
    add(secret) {
      // Very short values would mask ordinary words; keys and tokens are longer.
      if (secret && secret.length >= 6 && !secret.startsWith("${")) secrets.add(secret);
    },
    scrub,
    scrubDeep: (value) => scrubDeep(value),
  };
}
