import assert from "node:assert/strict";
import { monotonicNow } from "@spiritstream/kit";
import { ensureTestClip } from "@spiritstream/testing";
import { FlvReader } from "../flv/mod.ts";
import { IngestAnalyzer } from "./ingest_analyzer.ts";

async function analyse(clip: string): Promise<IngestAnalyzer> {
  const analyzer = new IngestAnalyzer();
  const file = await Deno.open(clip);
  for await (const tag of new FlvReader(file.readable)) analyzer.write(tag);
  return analyzer;
}

Deno.test("IngestAnalyzer reads a 1280x720 30 fps H.264 + AAC clip with a 2 s keyframe interval", async () => {
  const clip = await ensureTestClip({ width: 1280, height: 720, fps: 30, seconds: 6 });
  const media = (await analyse(clip)).media();
  assert.deepEqual(media, {
    video: {
      codec: "H.264",
      profile: "High",
      level: "3.1",
      width: 1280,
      height: 720,
      fps: 30,
      keyframeIntervalSecs: 2,
    },
    // lavfi's sine source is mono.
    audio: { codec: "AAC", profile: "AAC-LC", sampleRate: 48000, channels: 1 },
  });
});

Deno.test("IngestAnalyzer measures an 8 s keyframe interval (-g 240 at 30 fps)", async () => {
  const clip = await ensureTestClip({ fps: 30, seconds: 16, gopSeconds: 8 });
  const video = (await analyse(clip)).media()?.video;
  assert.equal(video?.keyframeIntervalSecs, 8);
  assert.equal(`${video?.width}x${video?.height}`, "640x360");
});

Deno.test("IngestAnalyzer: no frame rate once media stops, nothing at all once the source left", async () => {
  const clip = await ensureTestClip({ seconds: 6 });
  const analyzer = await analyse(clip);
  const now = monotonicNow();
  assert.equal(analyzer.media(now)?.video?.fps, 30);
  assert.equal(analyzer.media(now + 800)?.video?.fps, 0, "0.8 s without media is a stop");
  analyzer.sourceEnded();
  assert.equal(analyzer.media(), null);
});

Deno.test("IngestAnalyzer ignores empty and data tags instead of inventing a format", () => {
  const analyzer = new IngestAnalyzer();
  analyzer.write({ type: "audio", timestamp: 0, payload: new Uint8Array(0) });
  analyzer.write({ type: "video", timestamp: 0, payload: new Uint8Array(0) });
  analyzer.write({ type: "data", timestamp: 0, payload: Uint8Array.of(2, 0, 1, 0x41) });
  assert.equal(analyzer.media(), null);
});
