import assert from "node:assert/strict";
import { BUILTIN_THEMES, DEFAULT_THEME_ID } from "./builtin_themes.ts";
import { OPTIONAL_TOKENS, REQUIRED_TOKEN_DOCS, REQUIRED_TOKENS } from "./tokens.ts";
import { validateTheme } from "./validate_theme.ts";

Deno.test("REQUIRED_TOKENS lists every documented token once, all CSS custom properties", () => {
  assert.deepEqual([...REQUIRED_TOKENS], Object.keys(REQUIRED_TOKEN_DOCS));
  assert.equal(new Set(REQUIRED_TOKENS).size, REQUIRED_TOKENS.length);
  for (const token of [...REQUIRED_TOKENS, ...Object.keys(OPTIONAL_TOKENS)]) {
    assert.match(token, /^--[a-z0-9-]+$/);
  }
  for (const status of ["live", "connecting", "reconnecting", "failed", "stopped"]) {
    assert.ok(REQUIRED_TOKENS.includes(`--status-${status}` as never), status);
  }
});

Deno.test("BUILTIN_THEMES have unique ids, both modes, the default, and pass validation", () => {
  const ids = BUILTIN_THEMES.map((theme) => theme.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.includes(DEFAULT_THEME_ID));
  assert.equal(BUILTIN_THEMES.find((t) => t.id === "spirit-dark")?.mode, "dark");
  assert.equal(BUILTIN_THEMES.find((t) => t.id === "spirit-light")?.mode, "light");
  for (const theme of BUILTIN_THEMES) {
    assert.deepEqual(validateTheme(structuredClone(theme)), theme);
    for (const token of [...REQUIRED_TOKENS, ...Object.keys(OPTIONAL_TOKENS)]) {
      assert.ok(theme.tokens[token]?.trim(), `${theme.id} ${token}`);
    }
  }
});

Deno.test("BUILTIN_THEMES text and accent pairs meet WCAG AA contrast (4.5:1)", () => {
  const pairs = [
    ["--text-primary", "--bg-base"],
    ["--text-primary", "--bg-surface"],
    ["--text-secondary", "--bg-surface"],
    ["--text-muted", "--bg-base"],
    ["--text-muted", "--bg-surface"],
    ["--text-link", "--bg-surface"],
    ["--accent-contrast", "--accent"],
    ["--danger-contrast", "--danger"],
  ];
  for (const theme of BUILTIN_THEMES) {
    for (const [fg, bg] of pairs) {
      const ratio = contrast(theme.tokens[fg!]!, theme.tokens[bg!]!);
      assert.ok(ratio >= 4.5, `${theme.id}: ${fg} on ${bg} is ${ratio.toFixed(2)}:1`);
    }
  }
});

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

function luminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  assert.ok(match, `${hex} is #rrggbb`);
  const [r, g, b] = match.slice(1).map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
