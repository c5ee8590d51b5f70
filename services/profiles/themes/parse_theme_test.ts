import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { parseTheme } from "./parse_theme.ts";
import { sampleJsonc, sampleTheme } from "./testdata/sample_theme.ts";

Deno.test("parseTheme() reads JSONC with comments, trailing commas and a BOM", () => {
  const theme = parseTheme(`\uFEFF${sampleJsonc()}`);
  assert.deepEqual(theme, sampleTheme());
});

Deno.test("parseTheme() reads plain JSON", () => {
  assert.equal(parseTheme(JSON.stringify(sampleTheme("plain"))).id, "plain");
});

Deno.test("parseTheme() rejects broken JSONC naming the parse error", () => {
  assert.throws(() => parseTheme('{ "id": "x", "name": }'), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, "invalid_argument");
    assert.match(
      error.message,
      /^Invalid theme: must be valid JSONC \(ValueExpected at offset \d+\)$/,
    );
    return true;
  });
});
