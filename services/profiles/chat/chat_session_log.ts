import { join } from "node:path";
import {
  type ChatLogStatus,
  type ChatMessage,
  LOCAL_TENANT,
  type RequestMeta,
} from "@spiritstream/contracts";
import { type Logger, resolveExportFile, writeNewFile } from "@spiritstream/kit";
import { callerFolders } from "../caller_folders.ts";

/** Options for {@linkcode ChatSessionLog}. */
export interface ChatSessionLogOptions {
  tenantId: string;
  /** Where `chatlog_<yyyymmdd-HH>.jsonl` goes (SPIRITSTREAM_LOG_DIR). */
  logDir: string;
  /** Exports go to `<dataDir>/exports` or inside `homeDir`. */
  dataDir: string;
  homeDir: string | null;
  logger: Logger;
  /** Messages kept in memory for search and export. @default 20000 */
  keep?: number;
  /** @default Date.now */
  now?: () => number;
}

/**
 * The chat of one streaming session: from the first target going out to the last one stopping.
 * Every message is appended to `<logs>/chatlog_<yyyymmdd-HH>.jsonl` (UTC hour of the session's
 * start; mode 0600; never through a planted link) and kept in memory (the last `keep`) for
 * `chat_search_session` and `chat_export_log`. Outside a session messages are kept in memory
 * too (a chat connected by hand), but not written.
 */
export class ChatSessionLog {
  #options: ChatSessionLogOptions;
  #messages: ChatMessage[] = [];
  #startedAt: number | null = null;
  #file: Deno.FsFile | null = null;
  #path: string | null = null;
  #writing: Promise<void> = Promise.resolve();
  #warned = false;

  constructor(options: ChatSessionLogOptions) {
    this.#options = options;
  }

  status(): ChatLogStatus {
    return { active: this.#startedAt !== null, startedAt: this.#startedAt };
  }

  /** The file of the running session, if any. */
  get path(): string | null {
    return this.#path;
  }

  /** Starts a session (a no-op while one runs): memory starts empty, a file opens. */
  async start(): Promise<void> {
    if (this.#startedAt !== null) return;
    const now = (this.#options.now ?? Date.now)();
    this.#startedAt = now;
    this.#messages = [];
    const path = join(this.#options.logDir, fileName(this.#options.tenantId, now));
    this.#path = path;
    try {
      await Deno.mkdir(this.#options.logDir, { recursive: true, mode: 0o700 });
      const existing = await Deno.lstat(path).catch(() => null);
      if (existing && !existing.isFile) throw new Error(`${path} is not a regular file`);
      this.#file = await Deno.open(path, { append: true, create: true, mode: 0o600 });
      if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
    } catch (error) {
      this.#file = null;
      this.#options.logger.warn({ err: error, path }, "Cannot open the chat log: chat not logged");
    }
  }

  /** Ends the session; the messages stay searchable until the next one starts. */
  async end(): Promise<void> {
    if (this.#startedAt === null) return;
    this.#startedAt = null;
    this.#path = null;
    const file = this.#file;
    this.#file = null;
    await this.#writing;
    file?.close();
  }

  append(message: ChatMessage): void {
    this.#messages.push(message);
    const keep = this.#options.keep ?? 20_000;
    if (this.#messages.length > keep) this.#messages.splice(0, this.#messages.length - keep);
    const file = this.#file;
    if (!file) return;
    const bytes = new TextEncoder().encode(`${JSON.stringify(message)}\n`);
    this.#writing = this.#writing.then(() => writeAll(file, bytes)).catch((error) => {
      if (this.#warned) return;
      this.#warned = true;
      this.#options.logger.warn({ err: error }, "Cannot write the chat log");
    });
  }

  /** Case-insensitive match on username or text; the latest `limit`, oldest first. */
  search(query: string, limit: number): ChatMessage[] {
    const needle = query.toLowerCase();
    const found = this.#messages.filter((message) =>
      message.username.toLowerCase().includes(needle) ||
      message.message.toLowerCase().includes(needle)
    );
    return found.slice(-limit);
  }

  /** Writes the session's messages (JSONL) to a new file by the export-path rule. */
  async export(path: string | null, meta: RequestMeta): Promise<string> {
    const stamp = new Date((this.#options.now ?? Date.now)()).toISOString()
      .replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    const file = await resolveExportFile({
      field: "path",
      path,
      ...callerFolders(this.#options, meta),
      fileName: `spiritstream-chat-${stamp}.jsonl`,
    });
    const text = this.#messages.map((message) => JSON.stringify(message)).join("\n");
    await writeNewFile(file, text === "" ? "" : `${text}\n`, { field: "path" });
    return file;
  }

  async close(): Promise<void> {
    await this.end();
  }
}

/** `chatlog_20261202-01.jsonl` (UTC); another tenant's gets its id in the name. */
export function fileName(tenantId: string, at: number): string {
  const iso = new Date(at).toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}`;
  const tenant = tenantId === LOCAL_TENANT ? "" : `${tenantId.replace(/[^A-Za-z0-9_-]/g, "_")}_`;
  return `chatlog_${tenant}${stamp}.jsonl`;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}
