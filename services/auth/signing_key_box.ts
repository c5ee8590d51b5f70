import {
  aesOpenText,
  aesSeal,
  createSealer,
  fromBase64,
  OpenError,
  type RootKeys,
  type Sealer,
  SealError,
  toBase64,
} from "@spiritstream/kit";

/** A private key sealed with SPIRITSTREAM_SECRET_KEY (its own HKDF-derived key). */
const SECRET_SEALED = "sealed:v1:";
/** The HKDF purpose of that key. */
const SECRET_PURPOSE = "auth-signing-key-v1";
/** A private key sealed with a root key: `sealed:root:v1:<root key id>:<base64>`. */
const ROOT_SEALED = "sealed:root:v1:";

/** The signing key cannot be used with the configuration given (one line for the operator). */
export class SigningKeyError extends Error {
  override name = "SigningKeyError";
}

/** What seals the private signing key at rest. */
export interface SigningKeyProtection {
  /** SPIRITSTREAM_SECRET_KEY (or _FILE): seals as before, so existing deployments keep working. */
  secret?: string | null;
  /**
   * The root keys the profiles service uses (on the desktop: the machine key file): they seal the
   * key when no secret is configured. Neither: the key is stored in the clear (tests only).
   */
  rootKeys?: RootKeys | null;
}

/**
 * How the private signing key is kept in `auth_signing_keys.private_jwk`: sealed with the
 * secret, else with the active root key (AES-256-GCM, bound to the key id), else in the clear.
 */
export class SigningKeyBox {
  readonly #sealer: Sealer | null;
  readonly #rootKeys: RootKeys | null;

  constructor(protection: SigningKeyProtection) {
    this.#sealer = protection.secret ? createSealer(protection.secret, SECRET_PURPOSE) : null;
    this.#rootKeys = protection.rootKeys ?? null;
  }

  /** The stored form of `privateJwk` (the key `kid`'s) as this configuration wants it. */
  async seal(kid: string, privateJwk: string): Promise<string> {
    if (this.#sealer) return SECRET_SEALED + this.#sealer.seal(privateJwk);
    const root = this.#rootKeys;
    if (!root) return privateJwk;
    const sealed = await aesSeal(root.get(root.activeId)!, privateJwk, aad(kid));
    return `${ROOT_SEALED}${root.activeId}:${toBase64(sealed)}`;
  }

  /** False when {@linkcode seal} would store it differently now (so it is sealed again). */
  isCurrent(stored: string): boolean {
    if (this.#sealer) return stored.startsWith(SECRET_SEALED);
    if (this.#rootKeys) return stored.startsWith(`${ROOT_SEALED}${this.#rootKeys.activeId}:`);
    return !stored.startsWith("sealed:");
  }

  /**
   * The private JWK, or null when it was sealed with a root key this process does not hold (the
   * machine key was rotated or replaced since): the caller makes a new signing key. Throws
   * {@linkcode SigningKeyError} when it cannot be opened for a reason the operator must fix.
   */
  async open(kid: string, stored: string): Promise<string | null> {
    if (stored.startsWith(ROOT_SEALED)) return await this.#openRootSealed(kid, stored);
    if (!stored.startsWith(SECRET_SEALED)) return stored;
    if (!this.#sealer) {
      throw new SigningKeyError(
        "The access-token signing key is sealed: set SPIRITSTREAM_SECRET_KEY (or _FILE) to the secret it was sealed with",
      );
    }
    try {
      return this.#sealer.open(stored.slice(SECRET_SEALED.length));
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new SigningKeyError(
        "The access-token signing key does not open with this SPIRITSTREAM_SECRET_KEY: use the secret it was sealed with (if it is lost, delete the row in auth_signing_keys to start with a new key; access tokens issued so far stop working)",
      );
    }
  }

  async #openRootSealed(kid: string, stored: string): Promise<string | null> {
    if (!this.#rootKeys) {
      throw new SigningKeyError(
        "The access-token signing key is sealed with a root key, and this process was given none",
      );
    }
    const rest = stored.slice(ROOT_SEALED.length);
    const colon = rest.indexOf(":");
    const key = colon > 0 ? this.#rootKeys.get(rest.slice(0, colon)) : undefined;
    if (!key) return null;
    try {
      return await aesOpenText(key, fromBase64(rest.slice(colon + 1)), aad(kid));
    } catch (error) {
      if (!(error instanceof OpenError)) throw error;
      throw new SigningKeyError(
        "The access-token signing key does not open with its root key (altered?): delete the row in auth_signing_keys to start with a new key; access tokens issued so far stop working",
      );
    }
  }
}

/** Binds the sealed key to its key id, and keeps it apart from what else the root key seals. */
function aad(kid: string): string {
  return `spiritstream/auth-signing-key/v1/${kid}`;
}
