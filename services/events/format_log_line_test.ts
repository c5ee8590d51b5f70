import assert from "node:assert/strict";
import { formatLogLine } from "./format_log_line.ts";

Deno.test("formatLogLine() writes the §6.2 line in local time", () => {
  const time = new Date(2026, 0, 5, 9, 7, 3).getTime();
  assert.equal(
    formatLogLine({ time, level: 3, target: "encoder", message: "Group g1 is live" }),
    "[2026-01-05][09:07:03][encoder][INFO] Group g1 is live",
  );
  const levels = [1, 2, 3, 4, 5].map((level) =>
    formatLogLine({ time, level, target: "t", message: "" }).split("]")[3]
  );
  assert.deepEqual(levels, ["[ERROR", "[WARN", "[INFO", "[DEBUG", "[TRACE"]);
});
