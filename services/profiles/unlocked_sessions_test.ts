import assert from "node:assert/strict";
import type { PasswordKey } from "./crypto/password_box.ts";
import { createUnlockedSessions } from "./unlocked_sessions.ts";

const key = { salt: new Uint8Array(32) } as PasswordKey;

Deno.test("createUnlockedSessions() expires an unlock after inactivity, not while it is used", () => {
  let now = 0;
  const sessions = createUnlockedSessions({ ttlMs: 1000, now: () => now });
  sessions.set("t", "p", key);
  now = 900;
  assert.equal(sessions.get("t", "p"), key, "used: the expiry moves to 1900");
  now = 1800;
  assert.equal(sessions.get("t", "p"), key);
  now = 2801;
  assert.equal(sessions.get("t", "p"), undefined);
});

Deno.test("createUnlockedSessions() keys by tenant and profile; delete and clear lock", () => {
  const sessions = createUnlockedSessions();
  sessions.set("t1", "p", key);
  sessions.set("t1", "q", key);
  sessions.set("t2", "p", key);
  assert.equal(sessions.get("t2", "q"), undefined);
  sessions.delete("t1", "q");
  assert.equal(sessions.get("t1", "q"), undefined);
  sessions.clear("t1");
  assert.equal(sessions.get("t1", "p"), undefined);
  assert.equal(sessions.get("t2", "p"), key);
});
