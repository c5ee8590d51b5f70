import assert from "node:assert/strict";
import { measurePendingRss } from "./testdata/ingest_memory.ts";

/** The budget of one connection that has not published (issue 17). */
const PER_CONNECTION = 256 * 1024;
const COUNT = 200;

Deno.test("startRtmpServer() holds a connection at its pre-publish limits in under 256 KiB of RSS", async () => {
  const result = await measurePendingRss(COUNT);
  assert.equal(result.held, COUNT, "none was dropped: they stayed within the limits");
  assert.ok(
    result.perConnection <= PER_CONNECTION,
    `${Math.round(result.perConnection / 1024)} KiB of RSS per held connection > 256 KiB`,
  );
});
