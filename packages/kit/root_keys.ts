import { importAesKey } from "./aes_gcm.ts";
import { openMachineKeyFile } from "./machine_key_file.ts";
import { parseSecretKey, rootKeyId, SecretKeyError } from "./parse_secret_key.ts";

/** Where the root key comes from; chosen by the composition root from the config. */
export type KeySource =
  /** Desktop (and a lone server without a configured key): a key file in the data dir. */
  | { kind: "machine_file"; path: string }
  /** SPIRITSTREAM_SECRET_KEY. */
  | { kind: "secret"; value: string }
  /** SPIRITSTREAM_SECRET_KEY_FILE (e.g. a mounted Kubernetes Secret). */
  | { kind: "secret_file"; path: string };

/**
 * The root keys of a process. They never enter the database: they only wrap the per-tenant
 * data keys stored there, so a stolen database alone reveals nothing.
 */
export interface RootKeys {
  /** The key that wraps new data keys. */
  readonly activeId: string;
  /** A key by id (the active one, or one kept while a rotation is under way). */
  get(id: string): CryptoKey | undefined;
  /** Where the keys come from, for messages (never the key). */
  readonly origin: string;
  /** Present when this process can replace its root key (the machine key file). */
  readonly rotation: RootKeyRotation | null;
}

/** The two-phase replacement of a root key around one database transaction. */
export interface RootKeyRotation {
  /** Adds a fresh key next to the active one (durably) and returns its id. */
  stage(): Promise<string>;
  /** Makes the staged key the active one and forgets the others. */
  commit(id: string): Promise<void>;
  /** Forgets a staged key after a failed rotation. */
  abort(id: string): Promise<void>;
  /**
   * Start-up repair after a crash mid-rotation: keeps only the keys that data keys use (and the
   * active one), activating the staged key when it alone is used.
   */
  reconcile(usedIds: ReadonlySet<string>): Promise<void>;
}

/** What {@linkcode keySourceFromConfig} reads of the config. */
export interface KeyConfig {
  secretKey: string | null;
  secretKeyFile: string | null;
  dataDir: string;
}

/** SPIRITSTREAM_SECRET_KEY, else SPIRITSTREAM_SECRET_KEY_FILE, else `<dataDir>/secrets.key`. */
export function keySourceFromConfig(config: KeyConfig): KeySource {
  if (config.secretKey) return { kind: "secret", value: config.secretKey };
  if (config.secretKeyFile) return { kind: "secret_file", path: config.secretKeyFile };
  return { kind: "machine_file", path: `${config.dataDir}/secrets.key` };
}

/** Opens the root keys of a source (creating the machine key file on first use). */
export async function openRootKeys(source: KeySource): Promise<RootKeys> {
  if (source.kind === "machine_file") return await openMachineKeyFile(source.path);
  const origin = source.kind === "secret"
    ? "SPIRITSTREAM_SECRET_KEY"
    : `SPIRITSTREAM_SECRET_KEY_FILE (${source.path})`;
  const secret = source.kind === "secret" ? source.value : await readKeyFile(source.path);
  const raw = await parseSecretKey(
    secret,
    source.kind === "secret" ? origin : "SPIRITSTREAM_SECRET_KEY_FILE",
  );
  const id = await rootKeyId(raw);
  const key = await importAesKey(raw);
  raw.fill(0);
  return { activeId: id, get: (wanted) => wanted === id ? key : undefined, origin, rotation: null };
}

async function readKeyFile(path: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SecretKeyError("SPIRITSTREAM_SECRET_KEY_FILE", `cannot read ${path}: ${reason}`);
  }
}
