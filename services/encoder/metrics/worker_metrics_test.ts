import assert from "node:assert/strict";
import type { StreamState } from "@spiritstream/contracts";
import { workerLoad } from "../coordinator/worker_load.ts";
import { workerMetrics } from "./worker_metrics.ts";

function target(targetId: string, state: StreamState["groups"][0]["targets"][0]["state"]) {
  return {
    targetId,
    name: targetId,
    state,
    attempt: 0,
    nextRetryAt: null,
    lastError: null,
    lastCause: null,
  };
}

const LIVE: StreamState = {
  ingest: { state: "live", url: "rtmp://0.0.0.0:1935/live", publisher: "10.0.0.9", since: 1 },
  groups: [
    {
      groupId: "main",
      state: "live",
      startedAt: 1,
      targets: [target("yt", "live"), target("tw", "reconnecting"), target("off", "disabled")],
    },
    { groupId: "720p", state: "starting", startedAt: 2, targets: [target("kick", "connecting")] },
    { groupId: "old", state: "idle", startedAt: null, targets: [target("x", "stopped")] },
  ],
};
const WAITING: StreamState = {
  ingest: { state: "waiting", url: "rtmp://0.0.0.0:1936/live", publisher: null, since: 1 },
  groups: [],
};

/** The value of an unlabelled series in Prometheus text, or undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

Deno.test("workerLoad() counts streams, live ingests, running groups and enabled targets", () => {
  assert.deepEqual(workerLoad([LIVE, WAITING], 20), {
    streams: 2,
    streamsLive: 1,
    groups: 2,
    targets: 3,
    targetsConnected: 1,
    tenantLimit: 20,
  });
  assert.deepEqual(workerLoad([], null), {
    streams: 0,
    streamsLive: 0,
    groups: 0,
    targets: 0,
    targetsConnected: 0,
    tenantLimit: null,
  });
});

Deno.test("workerMetrics() renders the load fresh at each scrape as Prometheus gauges", async () => {
  let states: StreamState[] = [LIVE];
  const render = workerMetrics(() => workerLoad(states, 2));
  const first = await render();
  assert.match(first, /^# HELP spiritstream_encoder_streams /m);
  assert.match(first, /^# TYPE spiritstream_encoder_streams gauge$/m);
  assert.equal(sample(first, "spiritstream_encoder_streams"), 1);
  assert.equal(sample(first, "spiritstream_encoder_streams_live"), 1);
  assert.equal(sample(first, "spiritstream_encoder_groups"), 2);
  assert.equal(sample(first, "spiritstream_encoder_targets"), 3);
  assert.equal(sample(first, "spiritstream_encoder_targets_connected"), 1);
  assert.equal(sample(first, "spiritstream_encoder_tenant_limit"), 2);
  states = [LIVE, WAITING];
  const second = await render();
  assert.equal(sample(second, "spiritstream_encoder_streams"), 2);
  assert.equal(sample(second, "spiritstream_encoder_streams_live"), 1);
  states = [];
  assert.equal(sample(await render(), "spiritstream_encoder_streams"), 0);
});

Deno.test("workerMetrics() leaves the tenant limit out when the worker has none", async () => {
  const text = await workerMetrics(() => workerLoad([], null))();
  assert.equal(sample(text, "spiritstream_encoder_streams"), 0);
  assert.equal(sample(text, "spiritstream_encoder_tenant_limit"), undefined);
  assert.doesNotMatch(text, /spiritstream_encoder_tenant_limit/);
});
