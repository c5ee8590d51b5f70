import { join } from "node:path";

/** What in the data dir is ours: the SQLite files (and their WAL, shared memory, journal). */
const OUR_FILES = /^[a-z0-9_-]+\.db(-wal|-shm|-journal)?$/;
/** The machine key file and the temp files its atomic writes leave after a crash. */
const KEY_FILES = /^secrets\.key(\.[0-9a-f-]+\.tmp)?$/;
/** Folders we fill (user themes, managed FFmpeg copies, logs): tightened all the way down. */
const OUR_DIRS = new Set(["themes", "ffmpeg", "logs"]);

/**
 * Creates the data dir (mode 0700, whatever the umask) and takes group and other access away
 * from it and from what in it is ours: the SQLite files, the machine key file, and the folders
 * we fill, recursively. Other entries (the dir may be a folder the user chose) are left alone;
 * links are never followed. Returns the dir. (Windows has no modes: a user's profile folder is
 * private by its ACL.)
 */
export async function secureDataDir(dir: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  if (Deno.build.os === "windows") return dir;
  await Deno.chmod(dir, 0o700);
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isFile && (OUR_FILES.test(entry.name) || KEY_FILES.test(entry.name))) {
      await tighten(path);
    } else if (entry.isDirectory && OUR_DIRS.has(entry.name)) {
      await tightenTree(path);
    }
  }
  return dir;
}

async function tightenTree(dir: string): Promise<void> {
  await tighten(dir);
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) await tightenTree(path);
    else if (entry.isFile) await tighten(path);
  }
}

/** Keeps the owner's bits (an FFmpeg copy stays executable), drops group's and other's. */
async function tighten(path: string): Promise<void> {
  const mode = (await Deno.lstat(path)).mode ?? 0;
  if (mode & 0o077) await Deno.chmod(path, mode & 0o700);
}
