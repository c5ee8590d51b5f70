import { isAbsolute, join, relative } from "node:path";
import { AppError } from "@spiritstream/contracts";
import { runCommand } from "./run_command.ts";

/** The archive kinds FFmpeg static builds ship as. */
export type ArchiveKind = "tar.xz" | "tar.gz" | "zip";

/** The kind of an archive from its file name (a URL path works), or null. */
export function archiveKind(name: string): ArchiveKind | null {
  const lower = name.toLowerCase();
  if (lower.endsWith(".tar.xz") || lower.endsWith(".txz")) return "tar.xz";
  if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) return "tar.gz";
  if (lower.endsWith(".zip")) return "zip";
  return null;
}

/** Why an archive member name may not be unpacked (absolute, `..`, drive letter), or null. */
export function memberProblem(name: string): string | null {
  const path = name.replaceAll("\\", "/");
  if (path === "" || path.includes("\0")) return "has an empty or invalid name";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "is an absolute path";
  if (path.split("/").includes("..")) return 'climbs out with ".."';
  return null;
}

const UNPACK_TIMEOUT_MS = 180_000;

async function run(program: string, args: string[], what: string): Promise<string> {
  let result;
  try {
    result = await runCommand(program, args, { timeoutMs: UNPACK_TIMEOUT_MS });
  } catch (error) {
    throw new AppError(
      "failed_precondition",
      `Cannot ${what}: "${program}" could not run (${
        error instanceof Error ? error.message : error
      }); install it with your package manager`,
    );
  }
  if (!result.success) {
    const why = result.timedOut ? "it took too long" : result.stderr.trim().split("\n").at(-1);
    throw new AppError("failed_precondition", `Cannot ${what}: ${why || `exit ${result.code}`}`);
  }
  return result.stdout;
}

/** Member names; throws if any is a link or device (only files and directories are allowed). */
async function listMembers(archive: string, kind: ArchiveKind): Promise<string[]> {
  if (kind === "zip") {
    const names = await run("unzip", ["-Z1", archive], "read the FFmpeg archive");
    return names.split("\n").filter((n) => n !== "");
  }
  // Short flags only: GNU tar (Linux) and bsdtar (macOS, Windows) both take them.
  const flag = kind === "tar.xz" ? "-J" : "-z";
  const base = [flag, "-f", archive];
  const names = (await run("tar", ["-t", ...base], "read the FFmpeg archive")).split("\n")
    .filter(Boolean);
  const verbose = await run("tar", ["-tv", ...base], "read the FFmpeg archive");
  for (const line of verbose.split("\n").filter(Boolean)) {
    if (!"-d".includes(line[0] ?? "?")) {
      throw new AppError(
        "failed_precondition",
        `The FFmpeg archive was refused: it holds a link or special file (${line.slice(0, 120)})`,
      );
    }
  }
  return names;
}

/** Walks `dir` and refuses any symbolic link that unpacking produced. */
async function refuseLinks(dir: string, root: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isSymlink) {
      throw new AppError(
        "failed_precondition",
        `The FFmpeg archive was refused: ${relative(root, path)} is a link`,
      );
    }
    if (entry.isDirectory) await refuseLinks(path, root);
  }
}

/**
 * Unpacks a tar.xz, tar.gz or zip FFmpeg build into the empty directory `into` with the system
 * `tar` / `unzip`, after checking every member name: an absolute path, a `..` component, a link
 * or a special file refuses the whole archive before anything is written. Owners are never
 * restored; after unpacking, the tree is walked again and any link refuses it. Throws
 * failed_precondition naming the member and the rule.
 */
export async function unpackArchive(
  archive: string,
  into: string,
  kind: ArchiveKind,
): Promise<void> {
  const members = await listMembers(archive, kind);
  if (members.length === 0) {
    throw new AppError("failed_precondition", "The FFmpeg archive was refused: it is empty");
  }
  for (const member of members) {
    const problem = memberProblem(member);
    if (problem) {
      throw new AppError(
        "failed_precondition",
        `The FFmpeg archive was refused: member "${member.slice(0, 120)}" ${problem}`,
      );
    }
    const rel = relative(into, join(into, member));
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new AppError(
        "failed_precondition",
        `The FFmpeg archive was refused: member "${member.slice(0, 120)}" escapes the target`,
      );
    }
  }
  if (kind === "zip") {
    await run("unzip", ["-q", "-n", archive, "-d", into], "unpack the FFmpeg archive");
  } else {
    await run("tar", [
      "-x",
      kind === "tar.xz" ? "-J" : "-z",
      "--no-same-owner",
      "--no-same-permissions",
      "-f",
      archive,
      "-C",
      into,
    ], "unpack the FFmpeg archive");
  }
  await refuseLinks(into, into);
}
