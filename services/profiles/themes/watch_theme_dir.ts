import type { Logger } from "@spiritstream/kit";
import { dirname, sep } from "node:path";

/** Options for {@linkcode watchThemeDir}. */
export interface WatchThemeDirOptions {
  /** Quiet time after the last change before `onChange` runs (trailing debounce). @default 500 */
  debounceMs?: number;
  /** Runs once per burst of changes; runs never overlap. Its errors are logged. */
  onChange: () => Promise<void>;
  logger: Logger;
}

/** A running folder watch. */
export interface ThemeDirWatcher {
  /** Stops watching, cancels a pending run and waits for a running one. */
  close(): Promise<void>;
}

interface Watch {
  watcher: Deno.FsWatcher;
  loop: Promise<void>;
  /** Identity of the watched folder, or null when watching the parent for it to appear. */
  identity: string | null;
}

/**
 * Watches a folder and calls `onChange` after each burst of changes. Survives the folder
 * being deleted and recreated: an inotify watch dies with its folder, so while the folder is
 * missing (or was replaced) the parent is watched for it instead.
 */
export async function watchThemeDir(
  dir: string,
  options: WatchThemeDirOptions,
): Promise<ThemeDirWatcher> {
  const { debounceMs = 500, onChange, logger } = options;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Watch | null = null;
  let running = Promise.resolve();

  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(pass);
    }, debounceMs);
  }

  async function pass(): Promise<void> {
    if (closed) return;
    try {
      await reattach();
      if (closed) return;
      await onChange();
    } catch (error) {
      logger.warn({ err: error }, "Theme folder change handler failed");
    }
  }

  async function reattach(): Promise<void> {
    const identity = await folderIdentity(dir);
    if (closed) return;
    if (current && current.identity === identity) return;
    await detach();
    current = attach(identity);
    // The folder may have appeared between the stat and the parent watch: look again.
    if (identity === null && await folderIdentity(dir) !== null) schedule();
  }

  function attach(identity: string | null): Watch | null {
    const path = identity === null ? dirname(dir) : dir;
    let watcher: Deno.FsWatcher;
    try {
      watcher = Deno.watchFs(path, { recursive: false });
    } catch (error) {
      logger.warn({ err: error, path }, "Cannot watch the theme folder");
      return null;
    }
    const loop = (async () => {
      try {
        for await (const event of watcher) {
          // Reads are not changes (and our own rescans must not trigger another).
          if (event.kind === "access") continue;
          // The parent is the data dir: its databases change constantly.
          if (identity === null && !event.paths.some(isThemePath)) continue;
          schedule();
        }
      } catch (error) {
        if (!closed) logger.warn({ err: error, path }, "Theme folder watch ended");
      }
    })();
    return { watcher, loop, identity };
  }

  function isThemePath(path: string): boolean {
    return path === dir || path.startsWith(dir + sep);
  }

  async function detach(): Promise<void> {
    const watch = current;
    current = null;
    if (!watch) return;
    try {
      watch.watcher.close();
    } catch {
      // Already closed because the folder went away.
    }
    await watch.loop;
  }

  await reattach();
  return {
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
      await detach();
    },
  };
}

/** Inode and birth time: a recreated folder differs even where inodes are reused. */
async function folderIdentity(dir: string): Promise<string | null> {
  try {
    const info = await Deno.stat(dir);
    return info.isDirectory ? `${info.ino}:${info.birthtime?.getTime()}` : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}
