import assert from "node:assert/strict";
import { Registry } from "prom-client";
import { StreamMetrics } from "./stream_metrics.ts";

async function scrape(metrics: StreamMetrics): Promise<string> {
  const registry = new Registry();
  metrics.register(registry);
  return await registry.metrics();
}

function value(text: string, series: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : null;
}

Deno.test("StreamMetrics: target state, bitrate, counters and time since media by tenant, group and target", async () => {
  let now = 10_000;
  const metrics = new StreamMetrics({ now: () => now });
  const target = { groupId: "g1", targetId: "t1" };
  metrics.apply("acme", "ingest_status", {
    state: "live",
    url: "rtmp://127.0.0.1:1935/live",
    remoteAddr: "127.0.0.1:5000",
    since: 1,
  }, 1000);
  metrics.apply("acme", "ingest_stats", { bitrate: 2500, bytes: 100_000 }, 1000);
  metrics.apply("acme", "target_status", {
    ...target,
    state: "live",
    attempt: 0,
    nextRetryMs: null,
    error: null,
  }, 1000);
  metrics.apply("acme", "target_stats", {
    ...target,
    bitrate: 2400,
    bytes: 50_000,
    fps: 30,
    uptimeSecs: 5,
    reconnects: 2,
    droppedFrames: 3,
  }, 7000);
  metrics.apply("acme", "stream_stats", {
    groupId: "g1",
    frame: 300,
    fps: 30,
    bitrate: 2450,
    speed: 1,
    size: 1,
    time: 10,
    droppedFrames: 4,
    dupFrames: 0,
  }, 8000);
  const text = await scrape(metrics);
  const labels = 'tenant="acme",group="g1",target="t1"';
  assert.equal(value(text, `spiritstream_target_state{${labels},state="live"}`), 1);
  assert.equal(value(text, `spiritstream_target_state{${labels},state="reconnecting"}`), 0);
  assert.equal(value(text, `spiritstream_target_bitrate_kbps{${labels}}`), 2400);
  assert.equal(value(text, `spiritstream_target_dropped_frames{${labels}}`), 3);
  assert.equal(value(text, `spiritstream_target_reconnects{${labels}}`), 2);
  assert.equal(value(text, `spiritstream_target_seconds_since_media{${labels}}`), 3);
  assert.equal(value(text, 'spiritstream_group_frames{tenant="acme",group="g1"}'), 300);
  assert.equal(value(text, 'spiritstream_group_dropped_frames{tenant="acme",group="g1"}'), 4);
  assert.equal(value(text, 'spiritstream_group_reconnects{tenant="acme",group="g1"}'), 2);
  assert.equal(value(text, 'spiritstream_group_live{tenant="acme",group="g1"}'), 1);
  assert.equal(value(text, 'spiritstream_ingest_connected{tenant="acme"}'), 1);
  assert.equal(value(text, 'spiritstream_ingest_bitrate_kbps{tenant="acme"}'), 2500);

  // No new bytes: time since media grows; a reconnecting target sends nothing.
  metrics.apply("acme", "target_status", {
    ...target,
    state: "reconnecting",
    attempt: 1,
    nextRetryMs: 500,
    error: "refused",
  }, 9000);
  now = 20_000;
  const later = await scrape(metrics);
  assert.equal(value(later, `spiritstream_target_seconds_since_media{${labels}}`), 13);
  assert.equal(value(later, `spiritstream_target_bitrate_kbps{${labels}}`), 0);
  assert.equal(value(later, `spiritstream_target_state{${labels},state="reconnecting"}`), 1);

  metrics.apply("acme", "stream_ended", "g1", 21_000);
  const ended = await scrape(metrics);
  assert.equal(value(ended, `spiritstream_target_state{${labels},state="reconnecting"}`), null);
});
