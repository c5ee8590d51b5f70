import { signal } from "@preact/signals";
import type { ThemeSummary, ThemeTokens } from "@spiritstream/contracts";
import { isNotImplemented } from "../api/api_error.ts";
import { invoke } from "../api/client.ts";

/** The built-in palettes of styles.css, offered when the server has no theme list. */
export const BUILTIN_THEMES: ThemeSummary[] = [
  { id: "spirit-dark", name: "Spirit Dark", mode: "dark", source: "builtin" },
  { id: "spirit-light", name: "Spirit Light", mode: "light", source: "builtin" },
];

const THEME_KEY = "spiritstream-theme";
const TOKENS_KEY = "spiritstream-theme-tokens";

/** Themes to choose from. */
export const themes = signal<ThemeSummary[]>(BUILTIN_THEMES);
/** The theme in use. */
export const themeId = signal<string>(initialTheme());

function initialTheme(): string {
  const stored = localStorage.getItem(THEME_KEY);
  if (stored) return stored;
  return matchMedia("(prefers-color-scheme: light)").matches ? "spirit-light" : "spirit-dark";
}

function modeOf(id: string): "light" | "dark" {
  return themes.value.find((t) => t.id === id)?.mode ?? (id.includes("light") ? "light" : "dark");
}

let applied: string[] = [];

function paint(id: string, tokens: ThemeTokens): void {
  const root = document.documentElement;
  for (const name of applied) root.style.removeProperty(name);
  applied = Object.keys(tokens).filter((name) => name.startsWith("--"));
  for (const name of applied) root.style.setProperty(name, tokens[name]!);
  root.dataset.theme = modeOf(id);
}

/** Applies the cached theme before the first render (no flash of the wrong colours). */
export function paintCachedTheme(): void {
  let tokens: ThemeTokens = {};
  try {
    tokens = JSON.parse(localStorage.getItem(TOKENS_KEY) ?? "{}");
  } catch {
    // a damaged cache only costs the server's tokens until the next load
  }
  paint(themeId.value, tokens);
}

/** Switches theme: the server's tokens when it has them, else the built-in light/dark palette. */
export async function applyTheme(id: string): Promise<void> {
  let tokens: ThemeTokens = {};
  try {
    tokens = await invoke("get_theme_tokens", { themeId: id });
  } catch (error) {
    if (!isNotImplemented(error) && !BUILTIN_THEMES.some((t) => t.id === id)) throw error;
  }
  themeId.value = id;
  localStorage.setItem(THEME_KEY, id);
  localStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
  paint(id, tokens);
}

/** Loads the server's theme list (keeps the built-ins when it has none). */
export async function loadThemes(): Promise<void> {
  try {
    const list = await invoke("list_themes");
    if (list.length > 0) themes.value = list;
  } catch (error) {
    if (!isNotImplemented(error)) throw error;
  }
}
