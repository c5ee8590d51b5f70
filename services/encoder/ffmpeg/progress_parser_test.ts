import assert from "node:assert/strict";
import { ProgressParser } from "./progress_parser.ts";

const BLOCK = [
  "frame=63",
  "fps=31.33",
  "stream_0_0_q=-1.0",
  "bitrate=1339.9kbits/s",
  "total_size=339487",
  "out_time_us=2027000",
  "out_time_ms=2027000",
  "out_time=00:00:02.027000",
  "dup_frames=1",
  "drop_frames=2",
  "speed=1.02x",
  "progress=continue",
].join("\n");

Deno.test("ProgressParser splits -progress blocks from log lines across any chunking", () => {
  const parser = new ProgressParser();
  const text = `[flv @ 0x1] Failed to update header\n${BLOCK}\n`;
  const first = parser.push(text.slice(0, 50));
  const second = parser.push(text.slice(50));
  assert.deepEqual([...first.lines, ...second.lines], ["[flv @ 0x1] Failed to update header"]);
  assert.deepEqual([...first.blocks, ...second.blocks], [{
    frame: 63,
    fps: 31.33,
    bitrate: 1339.9,
    totalSize: 339487,
    outTime: 2.027,
    dupFrames: 1,
    dropFrames: 2,
    speed: 1.02,
    end: false,
  }]);
});

Deno.test("ProgressParser turns N/A into 0 and marks the last block", () => {
  const parser = new ProgressParser();
  const { blocks } = parser.push("frame=1\rbitrate=N/A\r\nspeed=N/A\nprogress=end\n");
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.bitrate, 0);
  assert.equal(blocks[0]!.speed, 0);
  assert.equal(blocks[0]!.end, true);
});
