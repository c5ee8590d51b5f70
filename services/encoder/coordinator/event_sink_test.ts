import assert from "node:assert/strict";
import {
  BusEvent,
  eventFilter,
  type StreamStats,
  type TargetStatus,
} from "@spiritstream/contracts";
import { type Bus, createMemoryBus } from "@spiritstream/bus";
import { captureLogger } from "../testdata/capture_logger.ts";
import { createEventSink } from "./event_sink.ts";

/** The in-process bus whose appends wait until `release()`: a bus that fell behind. */
function stalledBus(): { bus: Bus; release(): void } {
  const bus = createMemoryBus();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => open = resolve);
  return {
    bus: {
      ...bus,
      async append(subject, data) {
        await gate;
        return await bus.append(subject, data);
      },
    },
    release: () => open(),
  };
}

function stats(groupId: string, frame: number): StreamStats {
  return {
    groupId,
    frame,
    fps: 30,
    bitrate: 1000,
    speed: 1,
    size: frame * 100,
    time: frame / 30,
    droppedFrames: 0,
    dupFrames: 0,
  };
}

function status(attempt: number): TargetStatus {
  return {
    groupId: "g",
    targetId: "t",
    state: "reconnecting",
    attempt,
    nextRetryMs: 1000,
    error: null,
    cause: null,
  };
}

Deno.test("createEventSink() drops stale stats behind a slow bus but never a lifecycle event", async () => {
  const { bus, release } = stalledBus();
  const { logger } = captureLogger();
  const seen: BusEvent[] = [];
  const follow = bus.follow(eventFilter(), {}, (record) => {
    seen.push(BusEvent.parse(record.data));
  });
  await follow.ready;
  try {
    const sink = createEventSink(bus, logger);
    for (let frame = 1; frame <= 100; frame++) {
      sink.emit("local", "stream_stats", stats("g", frame));
      if (frame % 10 === 0) sink.emit("local", "target_status", status(frame / 10));
    }
    sink.emit("local", "stream_stats", stats("h", 7));
    release();
    await sink.flush();
    await new Promise((resolve) => setTimeout(resolve, 10));

    const g = seen.filter((e) =>
      e.event === "stream_stats" && (e.payload as StreamStats).groupId === "g"
    )
      .map((e) => (e.payload as StreamStats).frame);
    assert.deepEqual(g, [1, 100], "the one in flight, then only the newest");
    assert.equal(sink.dropped, 98);
    const h = seen.filter((e) =>
      e.event === "stream_stats" && (e.payload as StreamStats).groupId === "h"
    );
    assert.equal(h.length, 1, "stats of another group are not dropped for g's backlog");
    const lifecycle = seen.filter((e) => e.event === "target_status")
      .map((e) => (e.payload as TargetStatus).attempt);
    assert.deepEqual(lifecycle, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "all of them, in order");
  } finally {
    await follow.close();
    await bus.close();
  }
});

Deno.test("createEventSink() logs an invalid payload instead of throwing into the engine", async () => {
  const bus = createMemoryBus();
  const { logger, lines } = captureLogger();
  try {
    const sink = createEventSink(bus, logger);
    sink.emit("local", "stream_ended", { not: "a group id" });
    await sink.flush();
    assert.ok(lines.some((line) => line.includes("Event not published")));
    assert.equal(await bus.lastSeq(), 0);
  } finally {
    await bus.close();
  }
});

Deno.test("createEventSink() appends stream_ended after its group's stats in flight and drops the waiting ones", async () => {
  const { bus, release } = stalledBus();
  const { logger } = captureLogger();
  const seen: BusEvent[] = [];
  const follow = bus.follow(eventFilter(), {}, (record) => {
    seen.push(BusEvent.parse(record.data));
  });
  await follow.ready;
  try {
    const sink = createEventSink(bus, logger);
    // One in flight and one waiting per key, for the ending group and for another.
    for (const frame of [1, 2]) {
      sink.emit("local", "stream_stats", stats("g", frame));
      sink.emit("local", "target_stats", {
        groupId: "g",
        targetId: "t",
        bitrate: 1000,
        bytes: frame,
        fps: 30,
        uptimeSecs: frame,
        reconnects: 0,
      });
      sink.emit("local", "stream_stats", stats("h", frame));
    }
    sink.emit("local", "stream_ended", "g");
    release();
    await sink.flush();
    await new Promise((resolve) => setTimeout(resolve, 10));

    const end = seen.findIndex((e) => e.event === "stream_ended");
    assert.ok(end >= 0, "stream_ended was published");
    const ofG = (e: BusEvent) => (e.payload as { groupId?: string }).groupId === "g";
    assert.deepEqual(seen.slice(end + 1).filter(ofG), [], "nothing of g after its end");
    assert.deepEqual(
      seen.slice(0, end).filter(ofG).map((e) => e.event),
      ["stream_stats", "target_stats"],
      "the stats in flight land before the end",
    );
    const h = seen.filter((e) => (e.payload as { groupId?: string }).groupId === "h")
      .map((e) => (e.payload as StreamStats).frame);
    assert.deepEqual(h, [1, 2], "another group's stats are not touched");
  } finally {
    await follow.close();
    await bus.close();
  }
});
