import assert from "node:assert/strict";
import {
  type GroupStandby,
  type IngestStatus,
  LOCAL_TENANT,
  StandbySettings,
  type TargetStatus,
} from "@spiritstream/contracts";
import { probe, waitFor } from "@spiritstream/testing";
import {
  copyGroup,
  nginxTarget,
  type Rig,
  type SeenEvent,
  startRig,
  x264Group,
} from "../engine/testdata/rig.ts";
import {
  type Captured,
  capturePackets,
  dtsSteps,
  firstRealFrame,
  type PacketCapture,
} from "./testdata/packet_capture.ts";

const OUTAGE_MS = Number(Deno.env.get("SLATE_OUTAGE_MS") ?? 10_000);
const GOP_MS = 2000;

function standbyEvents(rig: Rig, since = 0): GroupStandby[] {
  return rig.seen<GroupStandby>("group_standby", since);
}

function statesOf(rig: Rig, since: number): TargetStatus["state"][] {
  return rig.seen<TargetStatus>("target_status", since).map((s) => s.state);
}

function eventAt(rig: Rig, match: (e: SeenEvent) => boolean): number {
  const found = rig.events.find(match);
  assert.ok(found, "event seen");
  return found.at;
}

function firstVideoAfter(capture: PacketCapture, at: number, keyOnly = false): Captured {
  const found = capture.packets("video").find((p) => p.at > at && (!keyOnly || p.keyframe));
  assert.ok(found, `a video packet after ${new Date(at).toISOString()}`);
  return found;
}

/** What a player of one destination saw across the outage. */
function checkDestination(
  capture: PacketCapture,
  { onAt, offAt, width, height }: { onAt: number; offAt: number; width: number; height: number },
): void {
  for (const type of ["video", "audio"] as const) {
    const { maxGap, backwards } = dtsSteps(capture.packets(type));
    assert.equal(backwards, 0, `no ${type} DTS going backwards`);
    assert.ok(maxGap < 1, `no ${type} DTS gap over 1 s (largest ${maxGap.toFixed(3)} s)`);
  }
  const slate = capture.frames().filter((f) => f.at > onAt + 300 && f.at < offAt - 300);
  assert.ok(slate.length > (offAt - onAt) / 1000 * 10, `slate frames arrived (${slate.length})`);
  const sizes = new Set(slate.map((f) => `${f.width}x${f.height}`));
  assert.deepEqual([...sizes], [`${width}x${height}`], "the slate has the input's resolution");
}

Deno.test("standby slate: a passthrough and a re-encode group stay live through a publisher outage, on one connection, with one timeline", async () => {
  const standby = StandbySettings.parse({ mode: "card", title: "Slate Test", graceSecs: 2 });
  const rig = await startRig({ apps: 2, ingest: { standby } });
  const keys = ["slate-copy-key-123", "slate-encode-key-12"] as const;
  const captures: PacketCapture[] = [];
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("relay", [nginxTarget(rig, "a", 0, keys[0])]),
      rig.ingest,
    );
    await rig.engine.startGroup(
      LOCAL_TENANT,
      x264Group("small", [nginxTarget(rig, "b", 1, keys[1])], {
        width: 480,
        height: 270,
        fps: 30,
        bitrate: "600k",
        preset: "ultrafast",
      }),
      rig.ingest,
    );
    const first = await rig.publish();
    await waitFor(async () => (await rig.bytesIn(1, keys[1])) > 50_000, { what: "media at B" });
    captures.push(capturePackets(rig.nginx.url(0, keys[0])));
    captures.push(capturePackets(rig.nginx.url(1, keys[1])));
    await waitFor(() => captures.every((c) => c.packets("video").length > 60), {
      what: "both players receiving",
      timeoutMs: 15_000,
    });
    const accepted = (await rig.nginx.stat()).map((d) => d.accepted);

    const killAt = Date.now();
    first.kill();
    await first.exited;
    await waitFor(() => standbyEvents(rig, killAt).filter((e) => e.standby).length === 2, {
      what: "both groups in standby",
      timeoutMs: 10_000,
    });
    const onAt = eventAt(rig, (e) => e.event === "group_standby" && e.at >= killAt);
    const inStandby = rig.engine.state(LOCAL_TENANT);
    assert.ok(inStandby.groups.every((g) => typeof g.standbySince === "number"));
    // The slate is not the publisher: the ingest says nobody sends.
    assert.deepEqual(
      [inStandby.ingest.state, inStandby.ingest.bitrate, inStandby.ingest.media],
      ["waiting", 0, null],
    );
    // A viewer joining during standby sees the slate's codecs and size (nginx passes on the
    // slate's sequence headers).
    const during = await Promise.all([0, 1].map((i) => probe(rig.nginx.url(i, keys[i]!))));
    assert.deepEqual(during.map((p) => p.video && [p.video.codec, p.video.width, p.video.height]), [
      ["h264", 640, 360],
      ["h264", 480, 270],
    ]);
    assert.deepEqual(during.map((p) => p.audio && [p.audio.codec, p.audio.sampleRate]), [
      ["aac", 48000],
      ["aac", 48000],
    ]);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, killAt + OUTAGE_MS - Date.now()))
    );

    const backAt = Date.now();
    await rig.publish();
    await waitFor(() => standbyEvents(rig, backAt).filter((e) => !e.standby).length === 2, {
      what: "both groups out of standby",
    });
    const offAt = eventAt(rig, (e) => e.event === "group_standby" && e.at >= backAt);
    const liveAt = eventAt(
      rig,
      (e) =>
        e.event === "ingest_status" && e.at >= backAt &&
        (e.payload as IngestStatus).state === "live",
    );
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const acceptedAfter = (await rig.nginx.stat()).map((d) => d.accepted);
    const changes = statesOf(rig, killAt);
    for (const capture of captures) await capture.stop();

    // The only new connection at each destination is the probing viewer's.
    assert.deepEqual(
      acceptedAfter,
      accepted.map((n) => n + 1),
      "each destination kept its one push connection",
    );
    assert.deepEqual(changes, [], "no target changed state");
    assert.deepEqual(
      standbyEvents(rig, killAt).map((e) => `${e.groupId}:${e.standby}:${e.reason}`).sort(),
      [
        "relay:false:publisher_returned",
        "relay:true:publisher_lost",
        "small:false:publisher_returned",
        "small:true:publisher_lost",
      ],
    );
    checkDestination(captures[0]!, { onAt, offAt, width: 640, height: 360 });
    checkDestination(captures[1]!, { onAt, offAt, width: 480, height: 270 });
    for (const [i, capture] of captures.entries()) {
      const slateAt = firstVideoAfter(capture, killAt + 1000).at;
      const realAt = firstRealFrame(capture, { onAt, offAt, reencode: i === 1 })?.at ?? Infinity;
      assert.ok(
        realAt - liveAt <= GOP_MS + 1500,
        `real frames within one GOP (${realAt - liveAt} ms)`,
      );
      assert.ok(slateAt > killAt, `destination ${i}: slate after the loss`);
    }
    assert.equal(rig.engine.state(LOCAL_TENANT).groups.every((g) => !g.standbySince), true);
  } finally {
    for (const capture of captures) await capture.stop();
    await rig.stop();
  }
});

Deno.test("standby slate: max standby ends the stream cleanly", async () => {
  const standby = StandbySettings.parse({ mode: "card", graceSecs: 0.5, maxStandbySecs: 10 });
  const rig = await startRig({ apps: 1, ingest: { standby } });
  const key = "slate-max-key-1234";
  try {
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("relay", [nginxTarget(rig, "a", 0, key)]),
      rig.ingest,
    );
    const first = await rig.publish();
    await waitFor(async () => (await rig.bytesIn(0, key)) > 50_000, { what: "media at A" });
    const capture = capturePackets(rig.nginx.url(0, key));
    const killAt = Date.now();
    first.kill();
    await first.exited;
    await waitFor(() => rig.seen("stream_ended", killAt).length === 1, {
      what: "the stream ended",
      timeoutMs: 20_000,
    });
    const endedAt = eventAt(rig, (e) => e.event === "stream_ended");
    assert.ok(endedAt - killAt >= 9_500, `not before the maximum (${endedAt - killAt} ms)`);
    assert.deepEqual(rig.engine.activeGroupIds(LOCAL_TENANT), []);
    assert.deepEqual(
      standbyEvents(rig, killAt).map((e) => `${e.standby}:${e.reason}`),
      ["true:publisher_lost", "false:max_standby"],
    );
    await waitFor(async () => !(await rig.stream(0, key))?.publishing, {
      what: "the destination's stream over",
    });
    assert.ok(capture.frames().length > 0, "the slate reached the destination");
    await capture.stop();
  } finally {
    await rig.stop();
  }
});
