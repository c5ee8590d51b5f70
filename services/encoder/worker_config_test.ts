import assert from "node:assert/strict";
import { ConfigError } from "@spiritstream/kit";
import { parseWorkerConfig } from "./worker_config.ts";

Deno.test("parseWorkerConfig: no shared ingest by default, a 20 s drain grace", () => {
  assert.deepEqual(parseWorkerConfig({}), {
    ingestListen: null,
    ingestSrtListen: null,
    drainGraceMs: 20_000,
  });
});

Deno.test("parseWorkerConfig: SPIRITSTREAM_INGEST_LISTEN host:port, IPv6 in brackets", () => {
  assert.deepEqual(
    parseWorkerConfig({ SPIRITSTREAM_INGEST_LISTEN: "0.0.0.0:1935" }).ingestListen,
    { hostname: "0.0.0.0", port: 1935 },
  );
  assert.deepEqual(
    parseWorkerConfig({ SPIRITSTREAM_INGEST_LISTEN: "[::]:1935" }).ingestListen,
    { hostname: "::", port: 1935 },
  );
});

Deno.test("parseWorkerConfig: SPIRITSTREAM_INGEST_SRT_LISTEN host:port; a bad one names it", () => {
  assert.deepEqual(
    parseWorkerConfig({ SPIRITSTREAM_INGEST_SRT_LISTEN: "0.0.0.0:9000" }).ingestSrtListen,
    { hostname: "0.0.0.0", port: 9000 },
  );
  assert.throws(
    () => parseWorkerConfig({ SPIRITSTREAM_INGEST_SRT_LISTEN: "srt://0.0.0.0:9000" }),
    (error: unknown) =>
      error instanceof ConfigError && /SPIRITSTREAM_INGEST_SRT_LISTEN/.test(error.message) &&
      /0\.0\.0\.0:9000/.test(error.message),
  );
});

Deno.test("parseWorkerConfig: bad values name the variable", () => {
  for (const value of ["1935", "0.0.0.0:0", "0.0.0.0:70000", "rtmp://0.0.0.0:1935/live"]) {
    assert.throws(
      () => parseWorkerConfig({ SPIRITSTREAM_INGEST_LISTEN: value }),
      (error: unknown) =>
        error instanceof ConfigError && /SPIRITSTREAM_INGEST_LISTEN/.test(error.message),
    );
  }
  assert.throws(
    () => parseWorkerConfig({ SPIRITSTREAM_DRAIN_GRACE_MS: "soon" }),
    /SPIRITSTREAM_DRAIN_GRACE_MS/,
  );
});
