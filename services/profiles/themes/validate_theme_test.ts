import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { sampleTheme } from "./testdata/sample_theme.ts";
import { validateTheme } from "./validate_theme.ts";

function rejects(input: unknown, message: string): void {
  assert.throws(() => validateTheme(input), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "invalid_argument");
    assert.equal(error.message, message);
    return true;
  });
}

function withToken(name: string, value: unknown): unknown {
  const theme = sampleTheme();
  return { ...theme, tokens: { ...theme.tokens, [name]: value } };
}

Deno.test("validateTheme() keeps id, name, mode and tokens and drops other keys", () => {
  const theme = sampleTheme();
  const parsed = validateTheme({
    $schema: "x",
    author: "me",
    ...theme,
    tokens: {
      ...theme.tokens,
      "--violet-500": "#8b5cf6",
    },
  });
  assert.deepEqual(Object.keys(parsed), ["id", "name", "mode", "tokens"]);
  assert.equal(parsed.tokens["--violet-500"], "#8b5cf6");
});

Deno.test("validateTheme() rejects bad identity fields naming the field and rule", () => {
  const theme = sampleTheme();
  const idRule =
    'must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit';
  rejects([theme], "Invalid theme: must be a JSON object");
  rejects({ ...theme, id: "Ocean Blue" }, `Invalid theme "id": ${idRule}`);
  rejects({ ...theme, id: "-ocean" }, `Invalid theme "id": ${idRule}`);
  rejects({ ...theme, id: "a".repeat(65) }, `Invalid theme "id": ${idRule}`);
  rejects({ ...theme, id: "../evil" }, `Invalid theme "id": ${idRule}`);
  rejects({ ...theme, name: "  " }, 'Invalid theme "name": must not be empty');
  rejects({ ...theme, mode: "dim" }, 'Invalid theme "mode": must be "light" or "dark"');
  rejects(
    { ...theme, tokens: [] },
    'Invalid theme "tokens": must be an object of CSS custom properties',
  );
});

Deno.test("validateTheme() requires every REQUIRED token, non-empty", () => {
  const theme = sampleTheme();
  const { "--accent": _, ...missing } = theme.tokens;
  rejects({ ...theme, tokens: missing }, 'Invalid theme "tokens.--accent": is required');
  rejects(withToken("--accent", ""), 'Invalid theme "tokens.--accent": must not be empty');
  rejects(withToken("--accent", 7), 'Invalid theme "tokens.--accent": must be a string');
});

Deno.test("validateTheme() rejects injection and placeholder values naming the rule", () => {
  const cases: [string, unknown, string][] = [
    ["--accent", "REPLACE_ME", "must not contain REPLACE_ME"],
    ["--accent", "red</style><script>alert(1)</script>", "must not contain </style> or <script"],
    ["--bg-base", "<SCRIPT src=x>", "must not contain </style> or <script"],
    ["--bg-base", "url( 'JavaScript:alert(1)')", "must not contain url() with javascript:"],
    ["--bg-base", "expression(alert(1))", "must not contain expression()"],
    ["--bg-base", "red; } body { display: none", "must not contain <, >, {, } or ;"],
    ["--bg-base", "#".repeat(201), "must be at most 200 characters"],
  ];
  for (const [token, value, rule] of cases) {
    rejects(withToken(token, value), `Invalid theme "tokens.${token}": ${rule}`);
  }
  rejects(
    withToken("--x;}body{", "red"),
    'Invalid theme "tokens.--x;}body{": must be a CSS custom property name ("--" then [a-zA-Z0-9_-])',
  );
});
