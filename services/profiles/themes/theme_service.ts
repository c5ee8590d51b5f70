import {
  AppError,
  type ArgsOf,
  type COMMANDS,
  type RequestMeta,
  type ThemeFile,
  type ThemeSummary,
  type ThemeTokens,
} from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import { dirname, join } from "node:path";
import { BUILTIN_THEMES } from "./builtin_themes.ts";
import { parseTheme } from "./parse_theme.ts";
import { readThemeFile } from "./read_theme_file.ts";
import { scanThemeDir } from "./scan_theme_dir.ts";
import { watchThemeDir } from "./watch_theme_dir.ts";

/** What the theme service is built from. */
export interface ThemeServiceOptions {
  /** The host's data dir; user themes live in `<dataDir>/themes` (created on start). */
  dataDir: string;
  /** The host user's home dir: `install_theme` reads files inside it or the data dir. */
  homeDir: string | null;
  /** Publishes `themes_updated` with the full list after the theme folder changed. */
  emit: (summaries: ThemeSummary[]) => void | Promise<void>;
  logger: Logger;
  /** Quiet time after the last folder change before `emit`. @default 500 */
  debounceMs?: number;
}

type Args<C extends keyof typeof COMMANDS> = ArgsOf<(typeof COMMANDS)[C]>;

/** The four theme commands, in the shape `hostService` serves. */
export type ThemeHandlers = {
  list_themes(args: Args<"list_themes">, meta: RequestMeta): Promise<ThemeSummary[]>;
  refresh_themes(args: Args<"refresh_themes">, meta: RequestMeta): Promise<ThemeSummary[]>;
  get_theme_tokens(args: Args<"get_theme_tokens">, meta: RequestMeta): Promise<ThemeTokens>;
  install_theme(args: Args<"install_theme">, meta: RequestMeta): Promise<ThemeSummary>;
};

/** A running theme service: its command handlers and its folder watch. */
export interface ThemeService {
  handlers: ThemeHandlers;
  /** Stops the folder watch; the handlers must not be called afterwards. */
  close(): Promise<void>;
}

const BUILTIN_IDS = new Set(BUILTIN_THEMES.map((theme) => theme.id));

/**
 * Serves built-in and user themes and watches the user theme folder.
 *
 * Themes are per host, not per tenant: `meta.tenantId` is ignored, and `emit` publishes to the
 * local tenant. A multi-tenant deployment would keep one folder (or table) per tenant, e.g.
 * `<dataDir>/tenants/<tenantId>/themes`, emit to that tenant only, and replace `install_theme`'s
 * host path (meaningless to a remote tenant) with an upload of the file's text.
 */
export async function createThemeService(options: ThemeServiceOptions): Promise<ThemeService> {
  const { dataDir, homeDir, emit, debounceMs } = options;
  const logger = options.logger.child({ component: "themes" });
  const dir = join(dataDir, "themes");
  // Like everything in the data dir: the owner's alone (modes set, not left to the umask).
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  let custom = await scanThemeDir(dir, { logger });

  async function rescan(): Promise<ThemeSummary[]> {
    custom = await scanThemeDir(dir, { logger });
    return summaries();
  }

  function summaries(): ThemeSummary[] {
    const seen = new Set<string>();
    const list: ThemeSummary[] = [];
    const add = (theme: ThemeFile, source: ThemeSummary["source"]) => {
      if (seen.has(theme.id)) return;
      seen.add(theme.id);
      list.push({ id: theme.id, name: theme.name, mode: theme.mode, source });
    };
    for (const theme of BUILTIN_THEMES) add(theme, "builtin");
    for (const theme of custom) add(theme, "custom");
    return list;
  }

  const watcher = await watchThemeDir(dir, {
    debounceMs,
    logger,
    async onChange() {
      await emit(await rescan());
    },
  });

  const handlers: ThemeHandlers = {
    list_themes() {
      return Promise.resolve(summaries());
    },
    refresh_themes() {
      return rescan();
    },
    get_theme_tokens({ themeId }) {
      // The user folder first, so a hand-placed file can override a built-in's palette.
      const theme = custom.find((t) => t.id === themeId) ??
        BUILTIN_THEMES.find((t) => t.id === themeId);
      if (!theme) {
        return Promise.reject(new AppError("not_found", `Theme not found: ${shown(themeId)}`));
      }
      return Promise.resolve({ ...theme.tokens });
    },
    async install_theme({ themePath }) {
      const roots = homeDir === null ? [dataDir] : [dataDir, homeDir];
      const text = (await readThemeFile(themePath, { roots })).replace(/^\uFEFF/, "");
      const theme = parseTheme(text);
      if (BUILTIN_IDS.has(theme.id)) {
        throw new AppError(
          "conflict",
          `Invalid theme "id": must not be a built-in theme id (${theme.id})`,
        );
      }
      await writeAtomically(join(dir, `${theme.id}.jsonc`), text);
      await rescan();
      logger.info({ themeId: theme.id }, "Installed a theme");
      return { id: theme.id, name: theme.name, mode: theme.mode, source: "custom" };
    },
  };

  return { handlers, close: () => watcher.close() };
}

/** Writes beside the target then renames, so the watcher never sees a half-written theme. */
async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  // A dotfile: the folder scan skips it.
  const temp = join(dir, `.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(temp, text, { mode: 0o600 });
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/** An id as it may appear in a message: no control or bidi characters, at most 100 chars. */
function shown(id: string): string {
  const clean = id.replace(/[\p{Cc}\p{Cf}]/gu, "?");
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}
