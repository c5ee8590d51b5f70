import {
  AppError,
  type RecordingGap,
  RecordingId,
  RecordingInfo,
  type RecordingStopReason,
} from "@spiritstream/contracts";

/** A part not written for this long, with no end in its sidecar, ended with a crash. */
const STALE_WRITER_MS = 30_000;

/** What the library writes beside each file (`<id>.json`); never a key, URL or profile name. */
interface Sidecar {
  id: string;
  groupId: string;
  groupName: string;
  part: number;
  startedAt: number;
  endedAt: number | null;
  gaps: RecordingGap[];
  stopReason: RecordingStopReason | null;
}

/** One part on its way to disk: where FFmpeg writes, and its sidecar. */
export interface RecordingPart {
  readonly id: string;
  readonly path: string;
  readonly info: Sidecar;
}

/**
 * The data dir's `recordings` folder: one 0700 folder per tenant (named by the tenant id's hex,
 * so no id can climb out), `<id>.mp4` (0600) and its `<id>.json` sidecar. Every lookup goes
 * through {@linkcode RecordingId}: a path-traversal id never reaches the file system.
 */
export class RecordingLibrary {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The tenant's folder, made 0700 on first use. */
  async tenantDir(tenantId: string): Promise<string> {
    const dir = `${this.root}/t-${hex(tenantId)}`;
    await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
    await Deno.chmod(this.root, 0o700);
    await Deno.chmod(dir, 0o700);
    return dir;
  }

  /** Creates the empty 0600 file and the sidecar of a new part. */
  async create(
    tenantId: string,
    meta: { groupId: string; groupName: string; part: number; series: string },
  ): Promise<RecordingPart> {
    const dir = await this.tenantDir(tenantId);
    const id = `${meta.series}_p${String(meta.part).padStart(2, "0")}`;
    RecordingId.parse(id);
    const path = `${dir}/${id}.mp4`;
    await Deno.writeFile(path, new Uint8Array(), { mode: 0o600, createNew: true });
    const info: Sidecar = {
      id,
      groupId: meta.groupId,
      groupName: meta.groupName,
      part: meta.part,
      startedAt: Date.now(),
      endedAt: null,
      gaps: [],
      stopReason: null,
    };
    await this.save(tenantId, info);
    return { id, path, info };
  }

  /** Rewrites a part's sidecar (0600). */
  async save(tenantId: string, info: Sidecar): Promise<void> {
    const dir = await this.tenantDir(tenantId);
    await Deno.writeTextFile(`${dir}/${info.id}.json`, JSON.stringify(info), { mode: 0o600 });
  }

  /** The tenant's recordings, newest first. */
  async list(tenantId: string): Promise<RecordingInfo[]> {
    const dir = await this.tenantDir(tenantId);
    const out: RecordingInfo[] = [];
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      const id = entry.name.slice(0, -5);
      const info = await this.#read(dir, id).catch(() => null);
      if (info) out.push(info);
    }
    return out.sort((a, b) => b.startedAt - a.startedAt || b.part - a.part);
  }

  /** One recording; `not_found` for an id the tenant does not have. */
  async get(tenantId: string, id: string): Promise<RecordingInfo> {
    const checked = checkId(id);
    const dir = await this.tenantDir(tenantId);
    const info = await this.#read(dir, checked).catch(() => null);
    if (!info) throw new AppError("not_found", `No recording ${checked}`);
    return info;
  }

  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  async read(
    tenantId: string,
    request: { id: string; offset: number; length: number },
  ): Promise<{ size: number; data: Uint8Array }> {
    const info = await this.get(tenantId, request.id);
    const file = await Deno.open(this.#path(await this.tenantDir(tenantId), info.id));
    try {
      const size = (await file.stat()).size;
      const want = Math.max(0, Math.min(request.length, size - request.offset));
      const data = new Uint8Array(want);
      await file.seek(request.offset, Deno.SeekMode.Start);
      let got = 0;
      while (got < want) {
        const n = await file.read(data.subarray(got));
        if (n === null) break;
        got += n;
      }
      return { size, data: data.subarray(0, got) };
    } finally {
      file.close();
    }
  }

  /** Removes the file and its sidecar. */
  async remove(tenantId: string, id: string): Promise<void> {
    const info = await this.get(tenantId, id);
    const dir = await this.tenantDir(tenantId);
    await Deno.remove(this.#path(dir, info.id)).catch(() => {});
    await Deno.remove(`${dir}/${info.id}.json`);
  }

  async #read(dir: string, id: string): Promise<RecordingInfo | null> {
    if (!RecordingId.safeParse(id).success) return null;
    const sidecar = JSON.parse(await Deno.readTextFile(`${dir}/${id}.json`)) as Sidecar;
    const stat = await Deno.stat(this.#path(dir, id)).catch(() => null);
    const writtenAt = stat?.mtime?.getTime() ?? sidecar.startedAt;
    // A part whose writer died with its process (a crash) is not "still being written" forever:
    // fragments land every keyframe, so a file quiet for this long has ended.
    const endedAt = sidecar.endedAt ??
      (Date.now() - writtenAt > STALE_WRITER_MS ? Math.max(writtenAt, sidecar.startedAt) : null);
    return RecordingInfo.parse({ ...sidecar, endedAt, bytes: stat?.size ?? 0 });
  }

  #path(dir: string, id: string): string {
    return `${dir}/${id}.mp4`;
  }
}

/** A new series name (the parts of one recording share it). */
export function newSeries(now = new Date()): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}_` +
    `${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const random = crypto.getRandomValues(new Uint8Array(4));
  return `rec_${stamp}_${[...random].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function checkId(id: string): string {
  const parsed = RecordingId.safeParse(id);
  if (!parsed.success) {
    throw new AppError("invalid_argument", `id: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

function hex(text: string): string {
  return [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
