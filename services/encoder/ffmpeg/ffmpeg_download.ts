import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import { AppError, type FfmpegDownloadProgress } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import { archiveKind, unpackArchive } from "./unpack_archive.ts";
import { validateFfmpegPath } from "./validate_ffmpeg_path.ts";

/** The pinned build download_ffmpeg installs (SPIRITSTREAM_FFMPEG_DOWNLOAD_*). */
export interface FfmpegDownloadConfig {
  /** https URL of a tar.xz, tar.gz or zip holding an `ffmpeg` binary. */
  url: string;
  /** SHA-256 of the archive, lowercase hex. */
  sha256: string;
  /** The pinned version's name, e.g. "7.1" (check_ffmpeg_update compares against it). */
  version: string;
}

/** What a managed install records next to the binary (`version.json`). */
export interface InstalledFfmpeg {
  version: string;
  sha256: string;
  /** First line of its `-version`. */
  versionLine: string;
}

/** Options for {@linkcode FfmpegDownloader}. */
export interface FfmpegDownloaderOptions {
  /** null: downloads are off and download_ffmpeg says how to install FFmpeg instead. */
  config: FfmpegDownloadConfig | null;
  /** `<data dir>/ffmpeg`: the binary lands at `<managedDir>/ffmpeg`. */
  managedDir: string;
  logger: Logger;
  onProgress(progress: FfmpegDownloadProgress): void;
  /** Extra PEM roots for the download server (tests with a private CA). */
  caCerts?: string[];
  /** Largest archive accepted. @default 512 MiB */
  maxBytes?: number;
  /** No byte for this long aborts the download. @default 30000 */
  idleTimeoutMs?: number;
  /** @default Deno.build.os */
  platform?: typeof Deno.build.os;
}

/** How to install FFmpeg by hand on each OS: the lines the Encoders screen shows too. */
export function installHint(platform: typeof Deno.build.os = Deno.build.os): string {
  switch (platform) {
    case "windows":
      return "winget install Gyan.FFmpeg";
    case "darwin":
      return "brew install ffmpeg";
    default:
      return "sudo apt-get install ffmpeg (Debian, Ubuntu) or sudo dnf install ffmpeg (Fedora)";
  }
}

const PROGRESS_EVERY_MS = 250;

/**
 * `download_ffmpeg` and its companions: fetches the ONE pinned build from the configured https
 * URL, hashes it while it streams to a staging directory inside the data dir, refuses it unless
 * the SHA-256 matches, unpacks it (member names checked, no links), runs the `ffmpeg` inside it
 * (name and "ffmpeg version" banner, as validate_ffmpeg_path), and only then moves it into
 * `<managedDir>/ffmpeg` with a rename. Whatever fails, the staging directory is removed and
 * nothing is installed. Progress goes out as `ffmpeg_download_progress`.
 */
export class FfmpegDownloader {
  readonly #options: FfmpegDownloaderOptions;
  #abort: AbortController | null = null;

  constructor(options: FfmpegDownloaderOptions) {
    this.#options = options;
  }

  /** Whether a download source is configured. */
  get configured(): boolean {
    return this.#options.config !== null;
  }
  /** The pinned build, or null when no download is configured. */
  get pinned(): { version: string; sha256: string } | null {
    const config = this.#options.config;
    return config && { version: config.version, sha256: config.sha256 };
  }
  get binaryPath(): string {
    const exe = (this.#options.platform ?? Deno.build.os) === "windows" ? "ffmpeg.exe" : "ffmpeg";
    return join(this.#options.managedDir, exe);
  }

  /** The managed install's record, or null when none (or it is unreadable). */
  async installed(): Promise<InstalledFfmpeg | null> {
    try {
      await Deno.stat(this.binaryPath);
      const record = JSON.parse(await Deno.readTextFile(this.#recordPath()));
      return typeof record?.sha256 === "string" ? record as InstalledFfmpeg : null;
    } catch {
      return null;
    }
  }

  /** Stops a running download; answers whether one was running. */
  cancel(): boolean {
    if (!this.#abort) return false;
    this.#abort.abort(new AppError("conflict", "The FFmpeg download was cancelled"));
    return true;
  }

  /** Removes the record beside a deleted managed binary. */
  async forget(): Promise<void> {
    await Deno.remove(this.#recordPath()).catch(() => {});
  }

  /** Downloads, verifies and installs the pinned build; answers the installed binary's path. */
  async download(): Promise<string> {
    const config = this.#options.config;
    if (!config) {
      throw new AppError(
        "failed_precondition",
        "FFmpeg download is not configured on this server (SPIRITSTREAM_FFMPEG_DOWNLOAD_URL and " +
          `SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256). Install FFmpeg yourself: ${
            installHint(this.#options.platform)
          }`,
      );
    }
    if (this.#abort) throw new AppError("conflict", "An FFmpeg download is already running");
    const current = await this.installed();
    if (current?.sha256 === config.sha256) {
      this.#emit("complete", 0, 0, `FFmpeg ${config.version} is already installed`);
      return this.binaryPath;
    }
    const abort = new AbortController();
    this.#abort = abort;
    const staging = `${this.#options.managedDir}.download-${crypto.randomUUID().slice(0, 8)}`;
    try {
      this.#emit("starting", 0, 0, `Downloading FFmpeg ${config.version}`);
      await Deno.mkdir(staging, { recursive: true, mode: 0o700 });
      const archive = join(staging, basename(new URL(config.url).pathname) || "ffmpeg-archive");
      const sha256 = await this.#fetchTo(config.url, archive, abort.signal);
      this.#emit("verifying", 0, 0, "Checking the SHA-256 of the download");
      if (sha256 !== config.sha256) {
        throw new AppError(
          "failed_precondition",
          `The downloaded FFmpeg archive was refused: its SHA-256 is ${sha256}, not the pinned ` +
            `${config.sha256} (SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256); nothing was installed`,
        );
      }
      const found = await this.#unpack(config.url, archive, join(staging, "unpacked"));
      abort.signal.throwIfAborted();
      const versionLine = await validateFfmpegPath(found);
      const path = await this.#install(found, { ...config, versionLine });
      this.#emit("complete", 0, 0, versionLine);
      this.#options.logger.info({ path, version: config.version }, "FFmpeg downloaded");
      return path;
    } catch (error) {
      const failure = abort.signal.aborted && abort.signal.reason instanceof AppError
        ? abort.signal.reason
        : error;
      const message = failure instanceof Error ? failure.message : String(failure);
      this.#emit(abort.signal.aborted ? "cancelled" : "error", 0, 0, message);
      this.#options.logger.warn({ reason: message }, "FFmpeg download failed");
      throw failure;
    } finally {
      this.#abort = null;
      await Deno.remove(staging, { recursive: true }).catch(() => {});
    }
  }

  async #fetchTo(url: string, file: string, signal: AbortSignal): Promise<string> {
    const { maxBytes = 512 * 1024 * 1024, idleTimeoutMs = 30_000 } = this.#options;
    const host = new URL(url).host;
    const client = this.#options.caCerts
      ? Deno.createHttpClient({ caCerts: this.#options.caCerts })
      : undefined;
    const idle = new AbortController();
    let idleTimer = setTimeout(() => idle.abort(), idleTimeoutMs);
    const both = AbortSignal.any([signal, idle.signal]);
    let response: Response;
    try {
      // Deno's fetch takes `client`; the DOM RequestInit in our lib list does not know it.
      response = await fetch(url, { signal: both, client, redirect: "follow" } as RequestInit);
    } catch (error) {
      clearTimeout(idleTimer);
      client?.close();
      signal.throwIfAborted();
      throw new AppError(
        "unavailable",
        `Cannot download FFmpeg from ${host}: ${
          withoutUrls(error instanceof Error ? error.message : String(error))
        }. Check the network, or install FFmpeg yourself: ${installHint(this.#options.platform)}`,
      );
    }
    try {
      if (!response.ok || !response.body) {
        await response.body?.cancel();
        throw new AppError(
          "unavailable",
          `Cannot download FFmpeg from ${host}: the server answered ${response.status}`,
        );
      }
      const total = Number(response.headers.get("content-length")) || 0;
      if (total > maxBytes) {
        throw new AppError("failed_precondition", `The FFmpeg archive is too large (${total} B)`);
      }
      const hash = createHash("sha256");
      const out = await Deno.open(file, { write: true, createNew: true, mode: 0o600 });
      let downloaded = 0;
      let lastAt = 0;
      try {
        for await (const chunk of response.body) {
          clearTimeout(idleTimer);
          idleTimer = setTimeout(() => idle.abort(), idleTimeoutMs);
          downloaded += chunk.byteLength;
          if (downloaded > maxBytes) {
            throw new AppError("failed_precondition", "The FFmpeg archive is too large");
          }
          hash.update(chunk);
          for (let at = 0; at < chunk.byteLength;) at += await out.write(chunk.subarray(at));
          if (Date.now() - lastAt >= PROGRESS_EVERY_MS) {
            lastAt = Date.now();
            this.#emit("downloading", downloaded, total, null);
          }
        }
      } catch (error) {
        signal.throwIfAborted();
        if (error instanceof AppError) throw error;
        throw new AppError(
          "unavailable",
          `The FFmpeg download from ${host} broke off after ${downloaded} bytes: ${
            idle.signal.aborted ? "no data for too long" : withoutUrls(String(error))
          }`,
        );
      } finally {
        out.close();
      }
      this.#emit("downloading", downloaded, total || downloaded, null);
      return hash.digest("hex");
    } finally {
      clearTimeout(idleTimer);
      client?.close();
    }
  }

  async #unpack(url: string, archive: string, into: string): Promise<string> {
    const kind = archiveKind(new URL(url).pathname);
    if (!kind) {
      throw new AppError(
        "failed_precondition",
        "The FFmpeg download must be a .tar.xz, .tar.gz or .zip archive " +
          "(SPIRITSTREAM_FFMPEG_DOWNLOAD_URL)",
      );
    }
    this.#emit("extracting", 0, 0, "Unpacking FFmpeg");
    await Deno.mkdir(into);
    await unpackArchive(archive, into, kind);
    const found = await findBinary(into, basename(this.binaryPath), 4);
    if (!found) {
      throw new AppError(
        "failed_precondition",
        `The FFmpeg archive was refused: it holds no file named ${basename(this.binaryPath)}`,
      );
    }
    return found;
  }

  async #install(found: string, record: InstalledFfmpeg): Promise<string> {
    const { managedDir } = this.#options;
    await Deno.mkdir(managedDir, { recursive: true });
    const partial = join(managedDir, `.ffmpeg-${crypto.randomUUID().slice(0, 8)}.partial`);
    try {
      await Deno.copyFile(found, partial);
      if ((this.#options.platform ?? Deno.build.os) !== "windows") {
        await Deno.chmod(partial, 0o755);
      }
      await Deno.rename(partial, this.binaryPath);
    } catch (error) {
      await Deno.remove(partial).catch(() => {});
      throw error;
    }
    const { version, sha256, versionLine } = record;
    await Deno.writeTextFile(
      this.#recordPath(),
      JSON.stringify({ version, sha256, versionLine }),
    );
    return this.binaryPath;
  }

  #recordPath(): string {
    return join(this.#options.managedDir, "version.json");
  }

  #emit(phase: string, downloaded: number, total: number, message: string | null): void {
    const percent = phase === "complete"
      ? 100
      : total > 0
      ? Math.min(100, Math.round(downloaded / total * 1000) / 10)
      : 0;
    this.#options.onProgress({ downloaded, total, percent, phase, message });
  }
}

async function findBinary(dir: string, name: string, depth: number): Promise<string | null> {
  const dirs: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && entry.name === name) return join(dir, entry.name);
    if (entry.isDirectory) dirs.push(join(dir, entry.name));
  }
  if (depth === 0) return null;
  for (const sub of dirs.sort()) {
    const found = await findBinary(sub, name, depth - 1);
    if (found) return found;
  }
  return null;
}

/** Fetch errors can carry the whole URL, which may hold a signed query: the host names it. */
function withoutUrls(text: string): string {
  return text.replace(/https?:\/\/\S+/g, "<url>");
}
