import { z } from "zod";
import { defineCommand } from "../command.ts";
import { ThemeSummary, ThemeTokens } from "../settings_types.ts";

const base = { group: "themes", service: "profiles" } as const;
const none = z.object({});

/** Theme commands (SpiritStream §1.3.6, §6.1). */
export const THEMES_COMMANDS = {
  list_themes: defineCommand({
    ...base,
    name: "list_themes",
    summary: "Lists built-in and custom themes.",
    permission: "read",
    args: none,
    result: z.array(ThemeSummary),
  }),
  refresh_themes: defineCommand({
    ...base,
    name: "refresh_themes",
    summary: "Re-copies the built-in themes and lists all themes.",
    permission: "operate",
    args: none,
    result: z.array(ThemeSummary),
  }),
  get_theme_tokens: defineCommand({
    ...base,
    name: "get_theme_tokens",
    summary: "Returns a theme's CSS custom properties.",
    permission: "read",
    // Any string: an unknown id is a not-found error, not a format error.
    args: z.object({ themeId: z.string().min(1) }),
    result: ThemeTokens,
  }),
  install_theme: defineCommand({
    ...base,
    name: "install_theme",
    summary: "Validates a theme file on the host and installs it as a custom theme.",
    // Themes are per host: the file lands in the host's shared themes folder.
    permission: "host",
    args: z.object({
      themePath: z.string().min(1).refine((p) => !p.split(/[\\/]/).includes(".."), {
        message: 'theme path must not contain ".."',
      }),
    }),
    result: ThemeSummary,
  }),
};
