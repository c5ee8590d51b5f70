import assert from "node:assert/strict";
import { LOCAL_TENANT, type TargetStats, type TargetStatus } from "@spiritstream/contracts";
import {
  ensureTestClip,
  startNginxRtmp,
  startPublisher,
  startThrottleProxy,
  type ThrottleProxy,
  waitFor,
} from "@spiritstream/testing";
import { connectPublisher } from "../rtmp/mod.ts";
import { FlvReader } from "../flv/mod.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { copyGroup, leaks, nginxTarget, type Rig, startRig } from "./testdata/rig.ts";
import { type FlvPlayer, startFlvPlayer } from "./testdata/flv_player.ts";

/* Slow destinations, measured from outside: a real FFmpeg publisher (~4.8 Mbit/s, 720p30, GOP
 * 2 s) into our ingest, one passthrough group to three nginx-rtmp destinations, two of them
 * behind a TCP proxy (testdata) that forwards at 1 Mbit/s and 0.5 Mbit/s. FFmpeg players at each
 * destination read the media timestamps that arrive there. */

const CLIP = { width: 1280, height: 720, fps: 30, seconds: 30, videoKbps: 4500 };
/** The default bound (SPIRITSTREAM_TARGET_MAX_LAG_MS). */
const MAX_LAG_MS = 2000;
/**
 * What the network between us and the platform holds besides our queue (the bytes in flight and
 * the proxy's receive window, ~100 KB: 1.6 s at 0.5 Mbit/s), plus one keyframe's transfer time at
 * that rate: the destination's newest frame trails live by up to bound + this. Measured (see
 * testdata/measure_slow_target.ts): max 3.6 s at 1 Mbit/s, 4.8 s at 0.5 Mbit/s; without the bound
 * the lag is ~20 s by the first sample and grows ~0.8 s a second. Generous: the box is shared.
 */
const NETWORK_SLACK_MS = 6000;

function key(name: string): string {
  return `${name}-key-${"0".repeat(10)}`;
}

function target(id: string, proxy: ThrottleProxy) {
  return {
    id,
    service: "Custom",
    name: `My ${id}`,
    url: `rtmp://127.0.0.1:${proxy.port}/live`,
    streamKey: key(id),
  };
}

function statuses(rig: Rig, targetId: string): TargetStatus[] {
  return rig.seen<TargetStatus>("target_status").filter((s) => s.targetId === targetId);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

Deno.test("slow destinations (1 and 0.5 Mbit/s) stay within the lag bound, are never cut while bytes flow, are reported too slow; the healthy one keeps pace", async () => {
  const rig = await startRig({ apps: 3, clip: CLIP, engine: { stallTimeoutMs: 15_000 } });
  const oneMbit = startThrottleProxy({
    upstreamPort: rig.nginx.ports[1]!,
    bytesPerSecond: 125_000,
  });
  const halfMbit = startThrottleProxy({
    upstreamPort: rig.nginx.ports[2]!,
    bytesPerSecond: 62_500,
  });
  const players: FlvPlayer[] = [];
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("g", [
        nginxTarget(rig, "fast", 0, key("fast")),
        target("slow1", oneMbit),
        target("slow05", halfMbit),
      ]),
      rig.ingest,
    );
    await rig.publish();
    const fast = startFlvPlayer(rig.nginx.url(0, key("fast")));
    const slow1 = startFlvPlayer(rig.nginx.url(1, key("slow1")));
    const slow05 = startFlvPlayer(rig.nginx.url(2, key("slow05")));
    players.push(fast, slow1, slow05);
    // A player at a slow destination starts at a keyframe that reaches it at the slow rate.
    await waitFor(() => [fast, slow1, slow05].every((p) => p.lastVideoTs >= 0), {
      what: "media at all three destinations",
      timeoutMs: 40_000,
    });

    const start = performance.now();
    const fastStart = fast.lastVideoTs;
    const lags: { slow1: number; slow05: number }[] = [];
    let fastPrevious = fastStart;
    for (let i = 0; i < 12; i++) {
      await sleep(2000);
      assert.ok(fast.lastVideoTs > fastPrevious, `the healthy destination advanced in 2 s (${i})`);
      fastPrevious = fast.lastVideoTs;
      lags.push({
        slow1: fast.lastVideoTs - slow1.lastVideoTs,
        slow05: fast.lastVideoTs - slow05.lastVideoTs,
      });
    }
    const wall = performance.now() - start;
    const fastMedia = fast.lastVideoTs - fastStart;
    // Generous: the healthy destination's media kept up with the clock (no stall behind the slow).
    assert.ok(
      fastMedia > wall - 2000,
      `healthy: ${fastMedia} ms of media in ${Math.round(wall)} ms`,
    );
    const worst = (k: "slow1" | "slow05") => Math.max(...lags.map((l) => l[k]));
    const summary = JSON.stringify(lags);
    assert.ok(worst("slow1") <= MAX_LAG_MS + NETWORK_SLACK_MS, `1 Mbit/s lag ${summary}`);
    assert.ok(worst("slow05") <= MAX_LAG_MS + NETWORK_SLACK_MS, `0.5 Mbit/s lag ${summary}`);

    for (const id of ["slow1", "slow05"]) {
      const states = statuses(rig, id).map((s) => s.state);
      assert.deepEqual(states, ["connecting", "live", "live"], `${id}: never cut (${states})`);
    }
    assert.equal(oneMbit.accepted, 1, "one connection through the 1 Mbit/s proxy");
    assert.equal(halfMbit.accepted, 1, "one connection through the 0.5 Mbit/s proxy");
    assert.deepEqual(statuses(rig, "fast").map((s) => s.state), ["connecting", "live"]);

    // Reported once, in words, with the measured throughput against the stream's bitrate.
    const slowWord = (id: string) => statuses(rig, id).find((s) => s.error !== null)!;
    const one = slowWord("slow1");
    assert.equal(one.state, "live");
    assert.match(
      one.error!,
      /^"My slow1" is too slow for this bitrate: it takes (\d+ kbit\/s|1\.\d Mbit\/s) of the stream's [45]\.\d Mbit\/s/,
    );
    assert.match(slowWord("slow05").error!, /it takes [3-6]\d\d kbit\/s of the stream's/);
    assert.match(one.cause!, /^throughput \d+ kbit\/s, stream \d+ kbit\/s/);
    const snapshot = rig.engine.state(LOCAL_TENANT).groups[0]!.targets;
    assert.equal(snapshot.find((t) => t.targetId === "slow1")!.lastError, one.error);

    // Target bitrate is what was written, second by second (never 0 with 11 Mbit/s spikes).
    const rates = rig.seen<TargetStats>("target_stats").filter((s) => s.targetId === "slow05")
      .slice(-10).map((s) => s.bitrate);
    assert.ok(rates.every((r) => r > 150 && r < 1200), `0.5 Mbit/s target bitrate: ${rates}`);

    // The 1 Mbit/s link gets fast: once it has not dropped for 5 s, it says so (error cleared).
    oneMbit.setRate(10_000_000);
    await waitFor(() => statuses(rig, "slow1").at(-1)?.error === null, {
      what: "slow1 reported keeping up again",
      timeoutMs: 20_000,
    });
    assert.equal(statuses(rig, "slow1").at(-1)!.state, "live");
    assert.equal(oneMbit.accepted, 1, "on the same connection");
  } finally {
    await Promise.all(players.map((p) => p.stop()));
    await rig.stop();
    await oneMbit.stop();
    await halfMbit.stop();
  }
  assert.equal(leaks(rig, [key("fast"), key("slow1"), key("slow05"), rig.ingestKey]), undefined);
});

Deno.test('"Already publishing" right after our own drop is retried within seconds, not as a refused key', async () => {
  const rig = await startRig({ apps: 1, engine: { backoff: { rejectedMs: 30_000 } } });
  const proxy = startThrottleProxy({
    upstreamPort: rig.nginx.ports[0]!,
    bytesPerSecond: 10_000_000,
  });
  try {
    await rig.engine.startGroup(LOCAL_TENANT, copyGroup("g", [target("t", proxy)]), rig.ingest);
    await rig.publish();
    await waitFor(async () => (await rig.bytesIn(0, key("t"))) > 100_000, {
      what: "media at nginx",
    });
    const dropAt = Date.now();
    // Our side is cut; nginx keeps the old session 5 s, so the reconnect meets "Already publishing".
    proxy.sever(5000);
    const busy = await waitFor(
      () =>
        rig.seen<TargetStatus>("target_status", dropAt).find((s) =>
          /Already publishing/.test(s.cause ?? "")
        ),
      { what: "the reconnect meeting Already publishing", timeoutMs: 10_000 },
    );
    assert.equal(busy.state, "reconnecting", "retried soon, not failed for 30 s");
    assert.ok(busy.nextRetryMs! <= 2400, `next retry in ${busy.nextRetryMs} ms`);
    assert.match(
      busy.error!,
      /^"My t" still has a stream running with this key \("Already publishing"\)/,
    );
    await waitFor(
      () => rig.seen<TargetStatus>("target_status", dropAt).some((s) => s.state === "live"),
      { what: "live again soon after nginx let the old session go", timeoutMs: 12_000 },
    );
    const states = rig.seen<TargetStatus>("target_status", dropAt).map((s) => s.state);
    assert.ok(!states.includes("failed"), states.join(","));
  } finally {
    await rig.stop();
    await proxy.stop();
  }
  assert.equal(leaks(rig, [key("t"), rig.ingestKey]), undefined);
});

Deno.test("a push through a 0.5 Mbit/s link with 6 MB waiting is not cut by a 5 s stall limit: progress is bytes accepted, not one long write", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const proxy = startThrottleProxy({ upstreamPort: nginx.ports[0]!, bytesPerSecond: 62_500 });
  const { logger } = captureLogger();
  try {
    const publisher = await connectPublisher(`rtmp://127.0.0.1:${proxy.port}/live/${key("p")}`, {
      logger,
      // Loopback's 64 KiB segments let the proxy's window open in ~128 KB steps (2 s here).
      stallTimeoutMs: 5000,
      maxLagMs: 600_000, // keep everything queued: this is about the socket, not the lag bound
      maxQueuedBytes: 64 * 1024 * 1024,
    });
    let offered = 0;
    for await (const tag of new FlvReader((await Deno.open(await ensureTestClip(CLIP))).readable)) {
      publisher.write(tag);
      offered += tag.payload.length;
      if (offered > 6_000_000) break;
    }
    const before = proxy.forwarded;
    const sentBefore = publisher.bytesSent;
    await sleep(12_000);
    assert.equal(
      publisher.isClosed,
      false,
      `still connected while bytes flow: ${
        JSON.stringify(
          await Promise.race([
            publisher.closed.then((c) => c.error?.message),
            sleep(10).then(() => "open"),
          ]),
        )
      }`,
    );
    assert.ok(proxy.forwarded - before > 400_000, `forwarded ${proxy.forwarded - before} in 12 s`);
    assert.ok(publisher.bytesSent - sentBefore > 400_000, "bytesSent follows what left");
    assert.equal(publisher.droppedTags, 0);
    await publisher.close();
  } finally {
    await proxy.stop();
    await nginx.stop();
  }
});

Deno.test('"Already publishing" with no drop of ours before it is another encoder on the key: the slow refusal back-off', async () => {
  const rig = await startRig({ apps: 1 });
  // Someone else streams with this key at the destination.
  const other = await startPublisher(rig.nginx.url(0, key("taken")), { clip: rig.clip });
  try {
    await waitFor(async () => (await rig.bytesIn(0, key("taken"))) > 50_000, {
      what: "the other encoder live at nginx",
    });
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("g", [nginxTarget(rig, "taken", 0, key("taken"))]),
      rig.ingest,
    );
    const refused = await waitFor(
      () => statuses(rig, "taken").find((s) => s.state === "failed"),
      { what: "the target refused", timeoutMs: 15_000 },
    );
    assert.match(refused.error!, /still has a stream running with this key/);
    assert.match(refused.cause!, /Already publishing/);
    assert.equal(refused.nextRetryMs, 30_000);
  } finally {
    await other.stop();
    await rig.stop();
  }
  assert.equal(leaks(rig, [key("taken"), rig.ingestKey]), undefined);
});
