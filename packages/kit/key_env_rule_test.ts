import assert from "node:assert/strict";
import { envReferenceName, keyEnvRefusal } from "./key_env_rule.ts";

Deno.test("envReferenceName() finds a whole-value ${NAME} reference and nothing else", () => {
  assert.equal(envReferenceName("${SPIRITSTREAM_KEY_TWITCH}"), "SPIRITSTREAM_KEY_TWITCH");
  assert.equal(envReferenceName(" ${HOME} "), "HOME");
  assert.equal(envReferenceName("${a-b}"), "a-b");
  assert.equal(envReferenceName("live_${X}"), null);
  assert.equal(envReferenceName("${}"), null);
  assert.equal(envReferenceName("live_123"), null);
});

Deno.test("keyEnvRefusal() allows SPIRITSTREAM_KEY_* and listed names, never other SPIRITSTREAM_*", () => {
  assert.equal(keyEnvRefusal("SPIRITSTREAM_KEY_TWITCH"), null);
  assert.equal(keyEnvRefusal("TWITCH_KEY", ["TWITCH_KEY"]), null);
  for (const name of ["HOME", "PATH", "TWITCH_KEY", "SPIRITSTREAM_ADMIN_PASSWORD"]) {
    assert.match(keyEnvRefusal(name) ?? "", new RegExp(`\\$\\{${name}\\} is not allowed`));
  }
  // Listed or not, the host's own SPIRITSTREAM_* secrets never fill a key.
  const listed = ["SPIRITSTREAM_ADMIN_PASSWORD", "SPIRITSTREAM_SECRET_KEY", "SPIRITSTREAM_KEY_"];
  for (const name of [...listed, "SPIRITSTREAM_KEY_ENV_ALLOW"]) {
    assert.match(keyEnvRefusal(name, listed) ?? "", /only name a SPIRITSTREAM_KEY_\* variable/);
  }
  assert.match(keyEnvRefusal("a-b", ["a-b"]) ?? "", /not a variable name/);
});
