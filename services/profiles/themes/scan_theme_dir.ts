import type { ThemeFile } from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import { extname, join } from "node:path";
import { parseTheme } from "./parse_theme.ts";
import { MAX_THEME_BYTES } from "./read_theme_file.ts";

/** Options for {@linkcode scanThemeDir}. */
export interface ScanThemeDirOptions {
  logger: Logger;
}

/**
 * Reads every valid theme in a folder (`*.json`, `*.jsonc`), one per id, sorted by name.
 * Skipped: dotfiles (install's temp files), `theme-template.jsonc`, `*.deprecated*`, anything
 * but regular files (symlinks too: the folder must not reach elsewhere), files over 256 KiB;
 * invalid files are skipped with a warning. When two files share an id, `<id>.jsonc`/`<id>.json`
 * wins (what `install_theme` writes), else the first by file name. A missing folder has none.
 */
export async function scanThemeDir(
  dir: string,
  options: ScanThemeDirOptions,
): Promise<ThemeFile[]> {
  const { logger } = options;
  const byId = new Map<string, { file: string; theme: ThemeFile }>();
  for (const file of await themeFileNames(dir)) {
    const path = join(dir, file);
    try {
      const info = await Deno.lstat(path);
      if (!info.isFile || info.size > MAX_THEME_BYTES) continue;
      const theme = parseTheme(await Deno.readTextFile(path));
      const seen = byId.get(theme.id);
      if (!seen || (!isCanonical(seen.file, seen.theme.id) && isCanonical(file, theme.id))) {
        byId.set(theme.id, { file, theme });
      }
    } catch (error) {
      // A half-written or hand-edited file; it is picked up again on the next change.
      logger.warn({ file, reason: (error as Error).message }, "Skipped an invalid theme file");
    }
  }
  return [...byId.values()].map((entry) => entry.theme).sort((a, b) =>
    a.name.localeCompare(b.name) || a.id.localeCompare(b.id)
  );
}

async function themeFileNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const { name } = entry;
      const ext = extname(name).toLowerCase();
      if (ext !== ".json" && ext !== ".jsonc") continue;
      if (name.startsWith(".") || name === "theme-template.jsonc") continue;
      if (name.includes(".deprecated")) continue;
      names.push(name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

function isCanonical(file: string, id: string): boolean {
  return file === `${id}.jsonc` || file === `${id}.json`;
}
