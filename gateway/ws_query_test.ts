import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { parseWsQuery } from "./ws_query.ts";

Deno.test("parseWsQuery() reads since and snapshot and refuses a malformed id", () => {
  assert.deepEqual(parseWsQuery({}), { since: null, snapshot: false });
  assert.deepEqual(parseWsQuery({ since: "42", snapshot: "1" }), { since: 42, snapshot: true });
  assert.deepEqual(parseWsQuery({ since: "0", snapshot: "true" }), { since: 0, snapshot: true });
  assert.deepEqual(parseWsQuery({ since: "", snapshot: "0" }), { since: null, snapshot: false });
  for (const since of ["-1", "1.5", "abc", "1e3", "9".repeat(16)]) {
    assert.throws(
      () => parseWsQuery({ since }),
      (error: unknown) =>
        error instanceof AppError && error.code === "invalid_argument" &&
        error.message === 'Invalid argument "since": must be an event id (a whole number from 0)',
      since,
    );
  }
});
