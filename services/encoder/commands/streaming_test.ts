import assert from "node:assert/strict";
import { AppError, INTERNAL, MASKED_SECRET, type TargetStatus } from "@spiritstream/contracts";
import {
  freePort,
  type NginxRtmp,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
  waitFor,
} from "@spiritstream/testing";
import { copyGroup, rtmpTarget, startEncoderHarness } from "../testdata/encoder_harness.ts";

const KEYS = {
  ingest: "ingest-secret-0001",
  a1: "a1-secret-key-0001",
  a2: "a2-secret-key-0002",
  b1: "b1-secret-key-0003",
};

async function publishing(nginx: NginxRtmp, i: number, name: string): Promise<boolean> {
  const stream = (await nginx.stat())[i]?.streams.find((s) => s.name === name);
  return !!stream?.publishing && stream.bytesIn > 0;
}

async function gone(nginx: NginxRtmp, i: number, name: string): Promise<boolean> {
  return !(await nginx.stat())[i]?.streams.some((s) => s.name === name && s.publishing);
}

async function accepted(nginx: NginxRtmp): Promise<number[]> {
  return (await nginx.stat()).map((d) => d.accepted);
}

Deno.test("streaming commands drive the real engine: go live, add, toggle, retry, stop", async () => {
  const nginx = await startNginxRtmp({ apps: 2 });
  const h = await startEncoderHarness();
  const resolver = h.bus.serve(INTERNAL.resolveStreamKeys.subject, (data) => {
    const { targetIds } = INTERNAL.resolveStreamKeys.request.parse(data);
    return Promise.resolve({ keys: targetIds.includes("a1") ? { a1: KEYS.a1 } : {} });
  });
  await resolver.ready;
  let publisher: TestPublisher | null = null;
  try {
    const port = freePort();
    const incomingUrl = `rtmp://127.0.0.1:${port}/live`;
    const input = { streamKey: KEYS.ingest };
    const [d0, d1] = nginx.ports as [number, number];

    // OBS can connect before go-live.
    assert.equal(await h.call("open_ingest", { incomingUrl, input }), null);
    assert.equal((await h.call("get_stream_state", {})).ingest.state, "waiting");
    publisher = await startPublisher(`${incomingUrl}/${KEYS.ingest}`);
    await waitFor(async () => (await h.call("get_stream_state", {})).ingest.state === "live", {
      what: "the ingest to go live",
    });

    // Go live with a masked key the profiles service resolves.
    const groupA = copyGroup("A", [
      rtmpTarget("a1", d0, MASKED_SECRET),
      rtmpTarget("a2", d1, KEYS.a2),
    ]);
    const pids = await h.call("start_all_streams", { groups: [groupA], incomingUrl, input });
    assert.equal(pids.length, 1);
    await waitFor(() => publishing(nginx, 0, KEYS.a1), { what: "a1 live", timeoutMs: 20_000 });
    await waitFor(() => publishing(nginx, 1, KEYS.a2), { what: "a2 live", timeoutMs: 20_000 });
    await assert.rejects(
      h.call("start_all_streams", { groups: [groupA], incomingUrl, input }),
      (error: unknown) => error instanceof AppError && error.message === "Streams already running",
    );
    // Starting a running group as it runs, or adding a group, never restarts anything.
    const before = await accepted(nginx);
    assert.equal(await h.call("start_stream", { group: groupA, incomingUrl, input }), pids[0]);
    const groupB = copyGroup("B", [rtmpTarget("b1", d0, KEYS.b1)]);
    await h.call("start_stream", { group: groupB, incomingUrl, input });
    await waitFor(() => publishing(nginx, 0, KEYS.b1), { what: "b1 live", timeoutMs: 20_000 });
    assert.deepEqual(await accepted(nginx), [before[0]! + 1, before[1]!], "only b1 connected");
    await waitFor(() => h.events.some((e) => e.event === "stream_stats"), {
      what: "stream_stats on the bus",
    });
    assert.equal(await h.call("get_active_stream_count", {}), 2);
    assert.deepEqual((await h.call("get_active_group_ids", {})).sort(), ["A", "B"]);
    assert.equal(await h.call("is_group_streaming", { groupId: "B" }), true);
    await assert.rejects(
      h.call("start_stream", {
        group: copyGroup("C", [rtmpTarget("c1", d0, "c1-secret-key-0004")]),
        incomingUrl: `rtmp://127.0.0.1:${freePort()}/live`,
      }),
      (error: unknown) =>
        error instanceof AppError && error.message === "Incoming URL differs from active groups",
    );

    // Switching one target off and on leaves every other connection alone.
    const steady = await accepted(nginx);
    const toggle = { targetId: "a2", group: groupA, incomingUrl };
    assert.equal(await h.call("toggle_stream_target", { ...toggle, enabled: false }), pids[0]);
    await waitFor(() => gone(nginx, 1, KEYS.a2), { what: "a2 off", timeoutMs: 10_000 });
    assert.equal(await h.call("is_target_disabled", { targetId: "a2" }), true);
    const a2 = (await h.call("get_stream_state", {})).groups.find((g) => g.groupId === "A")
      ?.targets.find((t) => t.targetId === "a2");
    assert.equal(a2?.state, "disabled");
    assert.equal(await publishing(nginx, 0, KEYS.a1), true);
    await h.call("toggle_stream_target", { ...toggle, enabled: true });
    await waitFor(() => publishing(nginx, 1, KEYS.a2), { what: "a2 back", timeoutMs: 20_000 });
    assert.deepEqual(await accepted(nginx), [steady[0]!, steady[1]! + 1], "only a2 reconnected");

    // Retry now, then stop one group, then everything.
    const retried = await h.call("retry_stream", { groupId: "A" });
    assert.equal(retried.pid, pids[0]);
    assert.equal(await h.call("stop_stream", { groupId: "B" }), null);
    assert.deepEqual(await h.call("get_active_group_ids", {}), ["A"]);
    await waitFor(() => gone(nginx, 0, KEYS.b1), { what: "b1 off", timeoutMs: 10_000 });
    assert.equal(await publishing(nginx, 0, KEYS.a1), true);
    assert.equal((await h.call("get_stream_state", {})).ingest.state, "live");
    assert.equal(await h.call("stop_all_streams", {}), null);
    assert.equal(await h.call("get_active_stream_count", {}), 0);
    assert.equal((await h.call("get_stream_state", {})).ingest.state, "idle");
    await waitFor(() => gone(nginx, 0, KEYS.a1), { what: "a1 off", timeoutMs: 10_000 });

    // Lifecycle events reached the bus; no key reached logs or events.
    await waitFor(() => h.events.filter((e) => e.event === "stream_ended").length >= 2, {
      what: "stream_ended events",
    });
    const statuses = h.events.filter((e) => e.event === "target_status")
      .map((e) => e.payload as TargetStatus);
    assert.ok(statuses.some((s) => s.targetId === "a2" && s.state === "disabled"));
    const texts = [...h.lines, ...h.events.map((e) => JSON.stringify(e))];
    const leak = texts.find((text) => Object.values(KEYS).some((key) => text.includes(key)));
    assert.equal(leak, undefined, "no stream key in logs or events");
  } finally {
    await publisher?.stop();
    await resolver.close();
    await h.close();
    await nginx.stop();
  }
});
