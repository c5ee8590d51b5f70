/**
 * Themes of the profiles service: the token set the dashboard paints with, the built-in
 * themes, and the service behind `list_themes`, `refresh_themes`, `get_theme_tokens`,
 * `install_theme` and the `themes_updated` event.
 * @module
 */
export {
  OPTIONAL_TOKENS,
  REQUIRED_TOKEN_DOCS,
  REQUIRED_TOKENS,
  type RequiredToken,
} from "./tokens.ts";
export { BUILTIN_THEMES, DEFAULT_THEME_ID } from "./builtin_themes.ts";
export { validateTheme } from "./validate_theme.ts";
export { parseTheme } from "./parse_theme.ts";
export { MAX_THEME_BYTES, readThemeFile, type ReadThemeFileOptions } from "./read_theme_file.ts";
export { scanThemeDir, type ScanThemeDirOptions } from "./scan_theme_dir.ts";
export {
  type ThemeDirWatcher,
  watchThemeDir,
  type WatchThemeDirOptions,
} from "./watch_theme_dir.ts";
export {
  createThemeService,
  type ThemeHandlers,
  type ThemeService,
  type ThemeServiceOptions,
} from "./theme_service.ts";
