import assert from "node:assert/strict";
import { monotonicNow } from "@spiritstream/kit";
import type { FlvTag } from "../flv/mod.ts";
import { createMediaHub, type MediaSource } from "./hub.ts";
import { IDLE_MS, MeterSink } from "./meter_sink.ts";

/** An AVC frame of 1250 bytes (a keyframe every 30). */
function frame(timestamp: number): FlvTag {
  const key = timestamp % 990 === 0;
  return {
    type: "video",
    timestamp,
    payload: new Uint8Array(1250).fill(1).fill(key ? 0x17 : 0x27, 0, 1),
  };
}

Deno.test("MeterSink reads zero rates once nothing arrived for IDLE_MS, keeping its totals", () => {
  const meter = new MeterSink();
  for (let i = 0; i < 30; i++) meter.write(frame(i * 33));
  const now = monotonicNow();
  assert.ok(meter.read(now).kbps > 0);
  const idle = meter.read(now + IDLE_MS + 50);
  assert.deepEqual([idle.kbps, idle.fps, idle.speed], [0, 0, 0]);
  assert.equal(idle.frames, 30);
});

Deno.test("MediaHub.detachSource() tells its sinks, and a MeterSink drops to zero at once", () => {
  const hub = createMediaHub();
  const meter = new MeterSink();
  hub.addSink(meter);
  let emit: (tag: FlvTag) => void = () => {};
  const source: MediaSource = {
    onTag(listener) {
      emit = listener;
      return () => {};
    },
    closed: new Promise(() => {}),
  };
  hub.attachSource(source);
  for (let i = 0; i < 30; i++) emit(frame(i * 33));
  assert.ok(meter.read().kbps > 0);
  hub.detachSource();
  assert.equal(meter.read().kbps, 0);
  assert.equal(meter.read().fps, 0);
});
