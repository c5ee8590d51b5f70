import { fromBase64, importAesKey, toBase64 } from "./aes_gcm.ts";
import type { RootKeys } from "./root_keys.ts";

/** The machine key file: JSON, mode 0600, replaced atomically (write, fsync, rename, fsync dir). */
interface KeyFile {
  version: 1;
  active: string;
  keys: { id: string; key: string; createdAt: number }[];
}

/**
 * Opens (or creates) the machine key file holding the desktop root key(s). An existing file is
 * never overwritten by a fresh key: losing it would make every stored secret unreadable.
 */
export async function openMachineKeyFile(path: string): Promise<RootKeys> {
  let file = await readKeyFile(path);
  if (!file) {
    const created = newEntry();
    await createKeyFile(path, { version: 1, active: created.id, keys: [created] });
    // Another process may have created it first: whatever is on disk now wins.
    file = (await readKeyFile(path))!;
  } else if (((await Deno.stat(path)).mode ?? 0) & 0o077) {
    await Deno.chmod(path, 0o600);
  }
  const keys = new Map<string, CryptoKey>();
  for (const entry of file.keys) keys.set(entry.id, await importAesKey(fromBase64(entry.key)));
  let current = file;

  async function write(next: KeyFile): Promise<void> {
    await replaceKeyFile(path, next);
    current = next;
  }

  return {
    get activeId() {
      return current.active;
    },
    get: (id) => keys.get(id),
    origin: `machine key file ${path}`,
    rotation: {
      async stage() {
        const entry = newEntry();
        keys.set(entry.id, await importAesKey(fromBase64(entry.key)));
        await write({ ...current, keys: [...current.keys, entry] });
        return entry.id;
      },
      async commit(id) {
        const kept = current.keys.filter((entry) => entry.id === id);
        if (kept.length !== 1) throw new Error(`Unknown root key ${id}`);
        await write({ version: 1, active: id, keys: kept });
        for (const known of [...keys.keys()]) if (known !== id) keys.delete(known);
      },
      async abort(id) {
        if (id === current.active) return;
        await write({ ...current, keys: current.keys.filter((entry) => entry.id !== id) });
        keys.delete(id);
      },
      async reconcile(usedIds) {
        const used = [...usedIds].filter((id) => keys.has(id));
        const active = used.length === 1 && !usedIds.has(current.active)
          ? used[0]!
          : current.active;
        const keep = new Set([...used, active]);
        if (active === current.active && current.keys.every((entry) => keep.has(entry.id))) return;
        await write({
          version: 1,
          active,
          keys: current.keys.filter((entry) => keep.has(entry.id)),
        });
        for (const known of [...keys.keys()]) if (!keep.has(known)) keys.delete(known);
      },
    },
  };
}

function newEntry(): KeyFile["keys"][number] {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const id = `m-${Array.from(crypto.getRandomValues(new Uint8Array(6)), hex).join("")}`;
  return { id, key: toBase64(raw), createdAt: Date.now() };
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, "0");
}

async function readKeyFile(path: string): Promise<KeyFile | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
  const file = JSON.parse(text) as KeyFile;
  const valid = file?.version === 1 && Array.isArray(file.keys) &&
    file.keys.some((entry) => entry.id === file.active) &&
    file.keys.every((entry) => typeof entry.id === "string" && fromBase64(entry.key).length === 32);
  if (!valid) throw new Error(`Machine key file ${path} is damaged: restore it from a backup`);
  return file;
}

/** Writes a new file only if none exists (link fails on an existing path). */
async function createKeyFile(path: string, file: KeyFile): Promise<void> {
  const temp = await writeTemp(path, file);
  try {
    await Deno.link(temp, path);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  } finally {
    await Deno.remove(temp);
  }
  await syncDir(path);
}

async function replaceKeyFile(path: string, file: KeyFile): Promise<void> {
  const temp = await writeTemp(path, file);
  await Deno.rename(temp, path);
  await syncDir(path);
}

async function writeTemp(path: string, file: KeyFile): Promise<string> {
  const temp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  const dir = dirOf(path);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(temp, JSON.stringify(file, null, 2) + "\n", {
    createNew: true,
    mode: 0o600,
  });
  const handle = await Deno.open(temp, { read: true, write: true });
  try {
    await handle.sync();
  } finally {
    handle.close();
  }
  return temp;
}

async function syncDir(path: string): Promise<void> {
  const dir = await Deno.open(dirOf(path), { read: true });
  try {
    await dir.sync();
  } finally {
    dir.close();
  }
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash > 0 ? path.slice(0, slash) : ".";
}
