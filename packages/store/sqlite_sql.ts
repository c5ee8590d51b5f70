/** SQL rewritten for SQLite by {@linkcode toSqliteSql}. */
export interface SqliteSql {
  /** The text with `$n` placeholders turned into `?n`. */
  text: string;
  /** True when the text holds more than one statement (a migration script). */
  script: boolean;
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;

/**
 * Rewrites the port's `$1, $2…` placeholders to SQLite's numbered `?1, ?2…`, leaving string
 * literals, quoted identifiers and comments untouched, and notes whether the text is a script.
 */
export function toSqliteSql(sql: string): SqliteSql {
  let text = "";
  let script = false;
  let statementEnded = false;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const skipTo = skipQuotedOrComment(sql, i);
    if (skipTo > i) {
      // A comment after the last `;` does not make a second statement.
      if (statementEnded && c !== "-" && c !== "/") script = true;
      text += sql.slice(i, skipTo);
      i = skipTo;
    } else if (
      c === "$" && DIGIT.test(sql[i + 1] ?? "") && !IDENTIFIER_CHAR.test(sql[i - 1] ?? "")
    ) {
      let end = i + 1;
      while (DIGIT.test(sql[end] ?? "")) end++;
      text += `?${sql.slice(i + 1, end)}`;
      if (statementEnded) script = true;
      i = end;
    } else {
      if (c === ";") statementEnded = true;
      else if (statementEnded && !/\s/.test(c)) script = true;
      text += c;
      i++;
    }
  }
  return { text, script };
}

/** End index of the literal, quoted identifier or comment starting at `start`, or `start`. */
function skipQuotedOrComment(sql: string, start: number): number {
  const c = sql[start];
  if (c === "'" || c === '"' || c === "`") {
    let i = start + 1;
    while (i < sql.length) {
      if (sql[i] === c) {
        if (sql[i + 1] !== c) return i + 1;
        i += 2; // doubled quote is an escaped quote
      } else {
        i++;
      }
    }
    return sql.length;
  }
  if (c === "-" && sql[start + 1] === "-") {
    const end = sql.indexOf("\n", start);
    return end === -1 ? sql.length : end + 1;
  }
  if (c === "/" && sql[start + 1] === "*") {
    const end = sql.indexOf("*/", start + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return start;
}
