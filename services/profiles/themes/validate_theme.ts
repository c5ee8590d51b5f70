import { AppError, type ThemeFile } from "@spiritstream/contracts";
import { REQUIRED_TOKENS } from "./tokens.ts";

const ID = /^[a-z0-9][a-z0-9-_]{0,63}$/;
// A CSS custom property name and nothing else, so a name cannot close a rule or a <style>.
const TOKEN_NAME = /^--[a-zA-Z0-9_-]{1,100}$/;
const MAX_NAME = 100;
const MAX_VALUE = 200;
const MAX_TOKENS = 500;

/**
 * Checks a parsed theme file; returns only `{id, name, mode, tokens}` (other keys such as
 * `$schema` or `author` are dropped) or throws `invalid_argument` naming the field and rule.
 */
export function validateTheme(value: unknown): ThemeFile {
  if (!isRecord(value)) throw invalid("", "must be a JSON object");
  const { id, name, mode, tokens } = value;
  if (typeof id !== "string" || !ID.test(id)) {
    throw invalid(
      "id",
      'must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit',
    );
  }
  if (typeof name !== "string" || name.trim() === "") throw invalid("name", "must not be empty");
  if (name.length > MAX_NAME) throw invalid("name", `must be at most ${MAX_NAME} characters`);
  if (mode !== "light" && mode !== "dark") throw invalid("mode", 'must be "light" or "dark"');
  if (!isRecord(tokens)) throw invalid("tokens", "must be an object of CSS custom properties");
  const entries = Object.entries(tokens);
  if (entries.length > MAX_TOKENS) throw invalid("tokens", `must have at most ${MAX_TOKENS}`);
  const checked: Record<string, string> = {};
  for (const [key, raw] of entries) {
    if (!TOKEN_NAME.test(key)) {
      throw invalid(
        `tokens.${key}`,
        'must be a CSS custom property name ("--" then [a-zA-Z0-9_-])',
      );
    }
    const rule = tokenValueRule(raw);
    if (rule) throw invalid(`tokens.${key}`, rule);
    checked[key] = raw as string;
  }
  for (const required of REQUIRED_TOKENS) {
    if (!(required in checked)) throw invalid(`tokens.${required}`, "is required");
  }
  return { id, name, mode, tokens: checked };
}

/** The broken rule of a token value, or null when the value is fine. */
function tokenValueRule(value: unknown): string | null {
  if (typeof value !== "string") return "must be a string";
  if (value.trim() === "") return "must not be empty";
  if (value.length > MAX_VALUE) return `must be at most ${MAX_VALUE} characters`;
  if (value.includes("REPLACE_ME")) return "must not contain REPLACE_ME";
  // Tokens may be pasted into a <style> by a pre-paint script; these would break out of it.
  if (/<\/style|<script/i.test(value)) return "must not contain </style> or <script";
  if (/url\s*\(\s*["']?\s*javascript\s*:/i.test(value)) {
    return "must not contain url() with javascript:";
  }
  if (/expression\s*\(/i.test(value)) return "must not contain expression()";
  // No CSS value of a palette needs these; they would end the declaration or the rule.
  if (/[<>{};]/.test(value)) return "must not contain <, >, {, } or ;";
  return null;
}

function invalid(field: string, rule: string): AppError {
  const subject = field === "" ? "Invalid theme" : `Invalid theme "${field}"`;
  return new AppError("invalid_argument", `${subject}: ${rule}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
