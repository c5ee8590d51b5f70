import assert from "node:assert/strict";
import { findLeaks, type SoakSample } from "./leak_check.ts";

function samples(n: number, shape: (i: number) => Partial<SoakSample>): SoakSample[] {
  return Array.from({ length: n }, (_, i) => ({
    t: i * 10,
    cpu: 10,
    rssMiB: 120,
    ffmpegRssMiB: 40,
    fds: 40,
    ffmpeg: 1,
    ...shape(i),
  }));
}

Deno.test("findLeaks() passes a flat run and ignores warm-up growth", () => {
  const flat = samples(
    12,
    (i) => ({ rssMiB: i < 2 ? 60 + i * 30 : 120 + (i % 3), fds: 40 + (i % 2) }),
  );
  assert.deepEqual(findLeaks(flat, { maxFfmpeg: 1 }), []);
});

Deno.test("findLeaks() names RSS, file descriptor and CPU growth", () => {
  const leaking = samples(12, (i) => ({ rssMiB: 100 + i * 15, fds: 40 + i * 3, cpu: 5 + i * 3 }));
  const reasons = findLeaks(leaking, { maxFfmpeg: 1 });
  assert.equal(reasons.length, 3, reasons.join("\n"));
  assert.match(reasons[0]!, /^RSS grew: median .* MiB in the first half/);
  assert.match(reasons[1]!, /^Open file descriptors grew/);
  assert.match(reasons[2]!, /^CPU grew/);
});

Deno.test("findLeaks() reports FFmpeg processes piling up and too short runs", () => {
  const crowded = samples(5, (i) => ({ ffmpeg: i === 4 ? 3 : 1 }));
  const reasons = findLeaks(crowded, { maxFfmpeg: 1 });
  assert.match(reasons[0]!, /FFmpeg processes piled up: 3 at t=40 s/);
  assert.match(reasons[1]!, /Too few samples after warm-up/);
});
