import assert from "node:assert/strict";
import { hashPassword, verifyPassword } from "./passwords.ts";

Deno.test("hashPassword() makes salted Argon2id hashes that verifyPassword() checks", async () => {
  const [one, two] = await Promise.all([
    hashPassword("hunter2hunter2"),
    hashPassword("hunter2hunter2"),
  ]);
  assert.match(one, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.notEqual(one, two, "each hash has its own salt");
  assert.equal(await verifyPassword("hunter2hunter2", one), true);
  assert.equal(await verifyPassword("hunter2hunter3", one), false);
  assert.equal(await verifyPassword("hunter2hunter2", "not a hash"), false);
  assert.equal(await verifyPassword("hunter2hunter2", null), false);
});
