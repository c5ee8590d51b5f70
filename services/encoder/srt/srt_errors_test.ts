import assert from "node:assert/strict";
import { SRT_REJ } from "./libsrt.ts";
import { connectFailure } from "./srt_errors.ts";

Deno.test("connectFailure() says what the destination answered, and whether retrying helps", () => {
  const cases: [number, string, RegExp][] = [
    [SRT_REJ.BADSECRET, "failed_precondition", /rejected the passphrase \(wrong passphrase\)/],
    [SRT_REJ.UNSECURE, "failed_precondition", /encryption mismatch/],
    [SRT_REJ.TIMEOUT, "unavailable", /timed out/],
    [1403, "failed_precondition", /rejected the stream id \(code 1403: forbidden\)/],
    [1404, "failed_precondition", /rejected the stream id \(code 1404: not found\)/],
    [SRT_REJ.PEER, "unavailable", /refused the connection/],
    [SRT_REJ.UNKNOWN, "unavailable", /hung up during the handshake/],
  ];
  for (const [reason, code, message] of cases) {
    const error = connectFailure(reason, "host:9000");
    assert.equal(error.code, code, `reason ${reason}`);
    assert.match(error.message, message);
    assert.match(error.message, /host:9000/);
  }
});
