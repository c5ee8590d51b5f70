import { argon2id } from "hash-wasm";

/* Builds a SpiritStream data folder (research §4.1, §4.5) the way SpiritStream writes one, with
 * its own WebCrypto code (not the importer's), so the import test checks against the format. */

/** One profile of the fixture, in plain text; how SpiritStream would have stored it. */
export interface FixtureProfile {
  /** The profile JSON as SpiritStream's UI saved it (plaintext secrets). */
  profile: Record<string, unknown> & { name: string };
  /** `ENC::` on stream keys (SpiritStream's `encryptStreamKeys`). Settings secrets always are. */
  encryptStreamKeys: boolean;
  /** Writes `<name>.mgs` under this password instead of `<name>.json`. */
  password?: string;
}

/** What the folder holds. */
export interface FixtureFolder {
  settings: Record<string, unknown>;
  profiles: FixtureProfile[];
  order: Record<string, number>;
}

const SETTINGS_SECRETS = [
  ["obs", "password"],
  ["discord", "webhookUrl"],
  ["backend", "token"],
  ["chat", "youtubeApiKey"],
  ["oauth", "twitch", "accessToken"],
  ["oauth", "twitch", "refreshToken"],
  ["oauth", "youtube", "accessToken"],
  ["oauth", "youtube", "refreshToken"],
];

/** Writes the folder: `.stream_key`, `settings.json`, `profiles/`, `indexes/order_indexes.json`. */
export async function writeSpiritStreamFolder(dir: string, folder: FixtureFolder): Promise<void> {
  await Deno.mkdir(`${dir}/profiles`, { recursive: true });
  await Deno.mkdir(`${dir}/indexes`, { recursive: true });
  const machineBytes = crypto.getRandomValues(new Uint8Array(32));
  await Deno.writeFile(`${dir}/.stream_key`, machineBytes, { mode: 0o600 });
  const machineKey = await crypto.subtle.importKey("raw", machineBytes, "AES-GCM", false, [
    "encrypt",
  ]);
  await Deno.writeTextFile(`${dir}/settings.json`, JSON.stringify(folder.settings, null, 2));
  await Deno.writeTextFile(
    `${dir}/indexes/order_indexes.json`,
    JSON.stringify(folder.order, null, 2),
  );
  for (const entry of folder.profiles) {
    const stored = structuredClone(entry.profile) as Record<string, unknown>;
    if (entry.encryptStreamKeys) {
      for (const group of stored.outputGroups as { streamTargets: { streamKey: string }[] }[]) {
        for (const target of group.streamTargets) {
          if (target.streamKey) target.streamKey = await enc(machineKey, target.streamKey);
        }
      }
    }
    for (const path of SETTINGS_SECRETS) {
      // deno-lint-ignore no-explicit-any
      let holder: any = stored.settings;
      for (const part of path.slice(0, -1)) holder = holder?.[part];
      const field = path.at(-1)!;
      if (holder?.[field]) holder[field] = await enc(machineKey, holder[field]);
    }
    const json = JSON.stringify(stored, null, 2);
    const name = entry.profile.name;
    if (entry.password) {
      await Deno.writeFile(`${dir}/profiles/${name}.mgs`, await mgs(json, entry.password));
    } else {
      await Deno.writeTextFile(`${dir}/profiles/${name}.json`, json);
    }
  }
}

/** `ENC::` + base64(nonce ‖ ciphertext ‖ tag) under the machine key. */
export async function enc(key: CryptoKey, value: string): Promise<string> {
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce },
      key,
      new TextEncoder().encode(value),
    ),
  );
  return `ENC::${new Uint8Array([...nonce, ...sealed]).toBase64()}`;
}

/** `MGLA` ‖ salt(32) ‖ nonce(12) ‖ ciphertext ‖ tag; Argon2id v0x13, m=65536, t=3, p=4. */
export async function mgs(json: string, password: string): Promise<Uint8Array> {
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const nonce = crypto.getRandomValues(new Uint8Array(12));
  const raw = await argon2id({
    password,
    salt,
    parallelism: 4,
    iterations: 3,
    memorySize: 65536,
    hashLength: 32,
    outputType: "binary",
  });
  const key = await crypto.subtle.importKey(
    "raw",
    raw as Uint8Array<ArrayBuffer>,
    "AES-GCM",
    false,
    [
      "encrypt",
    ],
  );
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce },
      key,
      new TextEncoder().encode(json),
    ),
  );
  return new Uint8Array([...new TextEncoder().encode("MGLA"), ...salt, ...nonce, ...sealed]);
}
