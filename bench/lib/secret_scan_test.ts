import assert from "node:assert/strict";
import { findLeakedSecrets } from "./secret_scan.ts";

Deno.test("findLeakedSecrets() reports the texts holding a secret, masked", () => {
  const found = findLeakedSecrets(
    ['{"msg":"push to rtmp://x/live/***"}', '{"msg":"key live_abc123 leaked"}', "plain"],
    ["live_abc123", "other-secret"],
  );
  assert.deepEqual(found, ['{"msg":"key <secret #0> leaked"}']);
  assert.deepEqual(findLeakedSecrets(["abc"], ["abc"]), [], "too short to be a secret");
});
