import { statfsSync } from "node:fs";

/**
 * Bytes an unprivileged writer may still use on the file system holding `path` (statfs
 * `bavail × bsize`; Deno has no `Deno.statfs`, node:fs has it). One syscall, no `df`.
 */
export function freeBytes(path: string): number {
  const stats = statfsSync(path);
  return Number(stats.bavail) * Number(stats.bsize);
}
