import assert from "node:assert/strict";
import { createOriginMatcher } from "./cors.ts";

const DEFAULTS = [
  "http://localhost:*",
  "http://127.0.0.1:*",
  "tauri://localhost",
  "http://tauri.localhost",
];

Deno.test("createOriginMatcher() matches `:*` entries by scheme and host name, any explicit port", () => {
  const matches = createOriginMatcher(DEFAULTS);
  for (const origin of ["http://127.0.0.1:5173", "http://localhost:8008", "tauri://localhost"]) {
    assert.ok(matches(origin), origin);
  }
  assert.ok(matches("http://tauri.localhost"));
  for (
    const origin of [
      "http://127.0.0.1",
      "http://localhost",
      "http://127.0.0.1.evil.example:80",
      "http://127.0.0.1:80.evil.example",
      "http://localhost.evil.example:8008",
      "https://127.0.0.1:5173",
      "http://127.0.0.1:5173/path",
      "http://user@127.0.0.1:5173",
      "tauri://localhost.evil",
      "null",
      "",
    ]
  ) {
    assert.ok(!matches(origin), origin);
  }
});
