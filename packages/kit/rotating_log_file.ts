import { join } from "node:path";

/** Options for {@linkcode openRotatingLogFile}. */
export interface RotatingLogFileOptions {
  /** File name inside the dir. @default "spiritstream.log" */
  name?: string;
  /** Size at which the file rotates, in bytes. @default 10485760 (10 MiB) */
  maxBytes?: number;
  /** Files kept, the current one included (`x.log`, `x.log.1` … `x.log.N-1`). @default 5 */
  maxFiles?: number;
  /** How long a line may wait in memory before it is written. @default 200 */
  flushMs?: number;
}

const encoder = new TextEncoder();

/**
 * A log destination that appends lines to `<dir>/<name>` and rotates it by size: the oldest
 * file goes, the others move up one number. The dir is 0700 and every file 0600 (logs name
 * hosts, users and paths). Lines are buffered and written off the caller's turn, so logging
 * never waits on the disk; a failing disk drops lines rather than breaking logging.
 */
export class RotatingLogFile {
  readonly #dir: string;
  readonly #name: string;
  readonly #maxBytes: number;
  readonly #maxFiles: number;
  readonly #flushMs: number;
  #file: Deno.FsFile | null = null;
  #size = 0;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #dropped = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(dir: string, options: RotatingLogFileOptions = {}) {
    this.#dir = dir;
    this.#name = options.name ?? "spiritstream.log";
    this.#maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.#maxFiles = Math.max(1, options.maxFiles ?? 5);
    this.#flushMs = options.flushMs ?? 200;
  }

  /** The current file's path. */
  get path(): string {
    return join(this.#dir, this.#name);
  }

  /** Creates the dir and opens (or continues) the current file. */
  async open(): Promise<this> {
    await Deno.mkdir(this.#dir, { recursive: true, mode: 0o700 });
    if (Deno.build.os !== "windows") await Deno.chmod(this.#dir, 0o700);
    await this.#openCurrent();
    return this;
  }

  /** Queues one line (pino hands complete lines ending in a newline). */
  write(line: string): void {
    if (this.#closed) return;
    const bytes = encoder.encode(line);
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    // A file that cannot be written (disk gone, folder removed) must not grow memory: keep the
    // newest lines, count the rest, and say so once the file is back.
    while (this.#pendingBytes > MAX_PENDING_BYTES && this.#pending.length > 1) {
      this.#pendingBytes -= this.#pending.shift()!.length;
      this.#dropped++;
    }
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#flushMs);
    }
  }

  /** Writes every queued line. */
  flush(): Promise<void> {
    this.#chain = this.#chain.then(() => this.#drain()).catch(() => {});
    return this.#chain;
  }

  /** Writes what is queued and closes the file; later lines are ignored. */
  async close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.flush();
    this.#closed = true;
    this.#file?.close();
    this.#file = null;
  }

  async #drain(): Promise<void> {
    if (!this.#file && this.#pending.length > 0) await this.#reopen();
    if (this.#file && this.#dropped > 0) {
      this.#pending.unshift(encoder.encode(
        `${JSON.stringify({ level: 40, msg: `${this.#dropped} log lines were dropped` })}\n`,
      ));
      this.#dropped = 0;
    }
    while (this.#pending.length > 0 && this.#file) {
      const lines = this.#pending.splice(0);
      this.#pendingBytes = 0;
      for (const bytes of lines) {
        if (this.#size > 0 && this.#size + bytes.length > this.#maxBytes) await this.#rotate();
        await writeAll(this.#file!, bytes);
        this.#size += bytes.length;
      }
    }
  }

  async #rotate(): Promise<void> {
    this.#file?.close();
    this.#file = null;
    const base = this.path;
    await Deno.remove(`${base}.${this.#maxFiles - 1}`).catch(() => {});
    for (let n = this.#maxFiles - 2; n >= 1; n--) {
      await Deno.rename(`${base}.${n}`, `${base}.${n + 1}`).catch(() => {});
    }
    if (this.#maxFiles > 1) await Deno.rename(base, `${base}.1`).catch(() => {});
    else await Deno.remove(base).catch(() => {});
    await this.#openCurrent();
  }

  /** After a failed rotation: the folder again, then the file; still failing, lines wait. */
  async #reopen(): Promise<void> {
    try {
      await Deno.mkdir(this.#dir, { recursive: true, mode: 0o700 });
      await this.#openCurrent();
    } catch {
      this.#file = null;
    }
  }

  async #openCurrent(): Promise<void> {
    // Never append through a link someone planted in the log folder.
    const existing = await Deno.lstat(this.path).catch(() => null);
    if (existing && !existing.isFile) throw new Error(`${this.path} is not a regular file`);
    this.#file = await Deno.open(this.path, { append: true, create: true, mode: 0o600 });
    // `mode` applies only to a new file, and through the umask: an old file may be wider.
    if (Deno.build.os !== "windows") await Deno.chmod(this.path, 0o600);
    this.#size = (await this.#file.stat()).size;
  }
}

/** Most bytes of lines held while the file cannot be written. */
const MAX_PENDING_BYTES = 1024 * 1024;

/** Creates the dir and opens a {@linkcode RotatingLogFile} in it. */
export async function openRotatingLogFile(
  dir: string,
  options: RotatingLogFileOptions = {},
): Promise<RotatingLogFile> {
  return await new RotatingLogFile(dir, options).open();
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}
