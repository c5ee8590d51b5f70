import assert from "node:assert/strict";
import { OpenError } from "@spiritstream/kit";
import {
  ARGON2_PARAMS,
  boxKdf,
  derivePasswordKey,
  openPasswordBox,
  parsePasswordBox,
  sealPasswordBox,
} from "./password_box.ts";

Deno.test("a password box opens with the password only, and records its Argon2id cost", async () => {
  const key = await derivePasswordKey("hunter2-but-longer");
  const box = await sealPasswordBox(key, '{"streamKey":"live_abc"}', "aad-1");
  assert.deepEqual(
    { m: box.kdf.memoryKiB, t: box.kdf.iterations, p: box.kdf.parallelism },
    { m: 65_536, t: 3, p: 4 },
  );
  assert.ok(!JSON.stringify(box).includes("live_abc"));
  const parsed = parsePasswordBox(JSON.stringify(box));
  const { salt, params } = boxKdf(parsed);
  assert.deepEqual(params, ARGON2_PARAMS);
  const again = await derivePasswordKey("hunter2-but-longer", salt, params);
  assert.equal(await openPasswordBox(again.key, parsed, "aad-1"), '{"streamKey":"live_abc"}');
  await assert.rejects(openPasswordBox(again.key, parsed, "aad-2"), OpenError);
  const wrong = await derivePasswordKey("hunter3-but-longer", salt, params);
  await assert.rejects(openPasswordBox(wrong.key, parsed, "aad-1"), OpenError);
  assert.throws(() => parsePasswordBox('{"v":2}'), OpenError);
});
