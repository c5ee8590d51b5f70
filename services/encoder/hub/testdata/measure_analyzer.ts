// deno-lint-ignore-file no-console
// What looking at the incoming stream costs per FLV tag (numbers for the report, not a test):
//   deno run -A services/encoder/hub/testdata/measure_analyzer.ts
import { ensureTestClip } from "@spiritstream/testing";
import { FlvReader } from "../../flv/mod.ts";
import { IngestAnalyzer } from "../ingest_analyzer.ts";
import { MeterSink } from "../meter_sink.ts";
const clip = await ensureTestClip({ width: 1280, height: 720, fps: 30, seconds: 10 });
const tags = [];
for await (const t of new FlvReader((await Deno.open(clip)).readable)) tags.push(t);
for (
  const [name, make] of [["IngestAnalyzer", () => new IngestAnalyzer()], [
    "MeterSink",
    () => new MeterSink(),
  ]] as const
) {
  const sink = make();
  const rounds = 50;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const t of tags) sink.write({ ...t, timestamp: t.timestamp + r * 10_000 });
  }
  const ms = performance.now() - t0;
  console.log(
    `${name}: ${
      (ms * 1000 / (rounds * tags.length)).toFixed(2)
    } µs per tag (${tags.length} tags x ${rounds})`,
  );
}
