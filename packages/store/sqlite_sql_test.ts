import assert from "node:assert/strict";
import { toSqliteSql } from "./sqlite_sql.ts";

Deno.test("toSqliteSql() rewrites $n placeholders to ?n", () => {
  assert.deepEqual(toSqliteSql("SELECT * FROM t WHERE a = $1 AND b IN ($2, $10, $1)"), {
    text: "SELECT * FROM t WHERE a = ?1 AND b IN (?2, ?10, ?1)",
    script: false,
  });
});

Deno.test("toSqliteSql() leaves $ inside literals, quoted identifiers, comments and names", () => {
  const sql = `SELECT 'it''s $1', "col$2", \`x$3\`, price$4 -- $5 here
    /* $6 */ FROM t WHERE v = $7`;
  assert.equal(
    toSqliteSql(sql).text,
    `SELECT 'it''s $1', "col$2", \`x$3\`, price$4 -- $5 here
    /* $6 */ FROM t WHERE v = ?7`,
  );
});

Deno.test("toSqliteSql() tells one statement from a script", () => {
  assert.equal(toSqliteSql("INSERT INTO t VALUES ('a;b');").script, false);
  assert.equal(toSqliteSql("SELECT 1; -- trailing comment\n").script, false);
  assert.equal(toSqliteSql("CREATE TABLE a (x); CREATE TABLE b (y)").script, true);
  assert.equal(toSqliteSql("SELECT 1;\n/* c */ SELECT 2").script, true);
});
