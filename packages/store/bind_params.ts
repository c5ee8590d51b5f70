import { AppError } from "@spiritstream/contracts";
import type { Dialect } from "./db.ts";

/**
 * Checks and converts statement params the same way for both adapters: `undefined` becomes NULL,
 * booleans become 1/0 on SQLite, and objects are refused (PostgreSQL would bind
 * "[object Object]"; store JSON as `JSON.stringify` text).
 */
export function bindParams(params: readonly unknown[], dialect: Dialect): unknown[] {
  return params.map((value, index) => {
    if (value === undefined || value === null) return null;
    if (typeof value === "boolean") return dialect === "sqlite" ? (value ? 1 : 0) : value;
    if (typeof value === "object" && !(value instanceof Uint8Array)) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "params[${index}]": must be a string, number, boolean, bigint, null ` +
          "or bytes (JSON.stringify objects)",
      );
    }
    return value;
  });
}
