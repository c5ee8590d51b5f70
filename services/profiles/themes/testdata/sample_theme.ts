import { REQUIRED_TOKENS } from "../tokens.ts";

/** A theme file's content before serialising. */
export interface SampleTheme {
  id: string;
  name: string;
  mode: string;
  tokens: Record<string, string>;
}

/** A valid theme with every required token (distinct grey-blue values). */
export function sampleTheme(id = "ocean", name = "Ocean"): SampleTheme {
  const tokens = Object.fromEntries(
    REQUIRED_TOKENS.map((token, i) => [token, `#10${(20 + i).toString(16).padStart(2, "0")}40`]),
  );
  return { id, name, mode: "dark", tokens };
}

/** The theme as JSONC: line and block comments, trailing commas. */
export function sampleJsonc(theme: SampleTheme = sampleTheme()): string {
  const tokens = Object.entries(theme.tokens)
    .map(([name, value]) => `    ${JSON.stringify(name)}: ${JSON.stringify(value)}, // ${name}`);
  return [
    "// A hand-written theme.",
    "{",
    "  /* identity */",
    `  "id": ${JSON.stringify(theme.id)},`,
    `  "name": ${JSON.stringify(theme.name)},`,
    `  "mode": ${JSON.stringify(theme.mode)}, // one mode per file`,
    '  "tokens": {',
    ...tokens,
    "  },",
    "}",
    "",
  ].join("\n");
}
