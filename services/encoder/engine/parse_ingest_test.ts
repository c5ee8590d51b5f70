import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { parseIngest } from "./parse_ingest.ts";

Deno.test("parseIngest() keeps the bind address (0.0.0.0 stays 0.0.0.0) and the application", () => {
  const rtmp = parseIngest({ url: "rtmp://0.0.0.0:1935/live/some-key", streamKey: "k" });
  assert.equal(rtmp.kind, "rtmp");
  assert.equal(rtmp.hostname, "0.0.0.0");
  assert.equal(rtmp.port, 1935);
  assert.equal(rtmp.app, "live");
  assert.equal(rtmp.url, "rtmp://0.0.0.0:1935/live", "no key in the reported URL");
  assert.equal(parseIngest({ url: "rtmp://[::]/" }).url, "rtmp://[::]:1935/live");
  assert.equal(parseIngest({ url: "rtmp://[::]/" }).hostname, "::");
});

Deno.test("parseIngest() identifies listeners by URL and options, never only by host", () => {
  const a = parseIngest({ url: "rtmp://127.0.0.1:1935/live" });
  assert.equal(parseIngest({ url: "rtmp://127.0.0.1:1935/live/" }).identity, a.identity);
  assert.notEqual(parseIngest({ url: "rtmp://127.0.0.1:1936/live" }).identity, a.identity);
  assert.notEqual(parseIngest({ url: a.url, streamKey: "x" }).identity, a.identity);
  const srt = parseIngest({ url: "srt://0.0.0.0:9000?mode=caller&pbkeylen=16", srtLatencyMs: 200 });
  assert.equal(srt.url, "srt://0.0.0.0:9000");
  assert.deepEqual(srt.srtOptions, [["pbkeylen", "16"]], "mode is always listener");
  assert.notEqual(
    parseIngest({ url: "srt://0.0.0.0:9000", srtLatencyMs: 300 }).identity,
    srt.identity,
  );
});

Deno.test("parseIngest() rejects other schemes and an SRT URL without a port", () => {
  for (const url of ["http://x/live", "rtmps://x/live", "srt://host", "rtmp://x:99999/live"]) {
    assert.throws(
      () => parseIngest({ url }),
      (e) =>
        e instanceof AppError && e.code === "invalid_argument" && /incomingUrl/.test(e.message),
      url,
    );
  }
});
