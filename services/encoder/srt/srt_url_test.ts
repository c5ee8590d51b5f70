import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { parseSrtUrl } from "./srt_url.ts";

Deno.test("parseSrtUrl() splits host, port and options; the label holds no query", () => {
  const parsed = parseSrtUrl("srt://ingest.example:9000?streamid=secret-id&latency=120000");
  assert.equal(parsed.hostname, "ingest.example");
  assert.equal(parsed.port, 9000);
  assert.equal(parsed.label, "ingest.example:9000");
  assert.deepEqual(parsed.settings.map((s) => s.name), ["streamid", "latency"]);
  const v6 = parseSrtUrl("srt://[::1]:9000/");
  assert.equal(v6.hostname, "::1");
  assert.equal(v6.label, "[::1]:9000");
});

Deno.test("parseSrtUrl() rejects a missing port and a non-caller mode without echoing the URL", () => {
  for (const url of ["srt://host?streamid=secret-id-1", "srt://host:0?streamid=secret-id-1"]) {
    assert.throws(() => parseSrtUrl(url), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, "invalid_argument");
      assert.match(error.message, /^Invalid argument "url": /);
      assert.doesNotMatch(error.message, /secret-id-1/);
      return true;
    });
  }
  assert.throws(
    () => parseSrtUrl("srt://host:9000?mode=listener"),
    /Invalid argument "url": an SRT target connects out, so mode must be caller/,
  );
});
