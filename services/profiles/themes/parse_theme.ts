import { AppError, type ThemeFile } from "@spiritstream/contracts";
import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import { validateTheme } from "./validate_theme.ts";

/** Parses a theme file's text (JSON or JSONC, with or without a BOM) and validates it. */
export function parseTheme(text: string): ThemeFile {
  const errors: ParseError[] = [];
  const value = parse(text.replace(/^\uFEFF/, ""), errors, {
    allowTrailingComma: true,
    disallowComments: false,
  });
  const first = errors[0];
  if (first) {
    throw new AppError(
      "invalid_argument",
      `Invalid theme: must be valid JSONC (${
        printParseErrorCode(first.error)
      } at offset ${first.offset})`,
    );
  }
  return validateTheme(value);
}
