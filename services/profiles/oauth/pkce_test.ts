import assert from "node:assert/strict";
import { createPkce, s256 } from "./pkce.ts";

Deno.test("s256: RFC 7636 appendix B's verifier gives its challenge", async () => {
  assert.equal(
    await s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
  );
});

Deno.test("createPkce: a fresh 43-character base64url verifier each time, with its S256 challenge", async () => {
  const a = await createPkce();
  const b = await createPkce();
  assert.match(a.verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a.verifier, b.verifier);
  assert.equal(a.challenge, await s256(a.verifier));
});
