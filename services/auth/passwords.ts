import { argon2id, argon2Verify } from "hash-wasm";

/** Argon2id cost (OWASP's minimum: 19 MiB, 2 passes, 1 lane); about 50 ms here. */
const COST = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 };

/** Hashes a password with Argon2id and a random salt, as a PHC string (`$argon2id$v=19$…`). */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return await argon2id({ password, salt, ...COST, outputType: "encoded" });
}

/** A hash of nothing, verified against when the user does not exist so timing does not tell. */
let decoy: Promise<string> | undefined;

/** Checks a password against a stored PHC string; `hash` null still spends the same time. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (hash === null) {
    decoy ??= hashPassword(crypto.randomUUID());
    await argon2Verify({ password, hash: await decoy }).catch(() => false);
    return false;
  }
  try {
    return await argon2Verify({ password, hash });
  } catch {
    // A malformed stored hash never matches.
    return false;
  }
}
