import assert from "node:assert/strict";
import { createMetrics } from "./metrics.ts";

const DASHBOARD = new URL("../k8s/grafana/spiritstream.json", import.meta.url);

interface Panel {
  title: string;
  targets?: { expr?: string }[];
  panels?: Panel[];
}

function queries(panels: Panel[]): { panel: string; expr: string }[] {
  return panels.flatMap((panel) => [
    ...(panel.targets ?? []).map((t) => ({ panel: panel.title, expr: t.expr ?? "" })),
    ...queries(panel.panels ?? []),
  ]);
}

/** Series a PromQL expression names (a histogram's `_bucket`/`_sum`/`_count` name its family). */
function seriesOf(expr: string): string[] {
  return [...expr.matchAll(/\bspiritstream_[a-z0-9_]+/g)].map((m) =>
    m[0].replace(/_(bucket|sum|count)$/, "")
  );
}

Deno.test("Grafana dashboard: every query names only series the gateway's /metrics exports", async () => {
  const dashboard = JSON.parse(await Deno.readTextFile(DASHBOARD));
  const metrics = createMetrics();
  const exported = new Set(
    (await metrics.registry.metrics()).split("\n")
      .filter((line) => line.startsWith("# TYPE "))
      .map((line) => line.split(" ")[2]!),
  );
  const all = [
    ...queries(dashboard.panels),
    ...dashboard.templating.list
      .filter((v: { type: string }) => v.type === "query")
      .map((v: { name: string; query: { query: string } }) => ({
        panel: `variable ${v.name}`,
        expr: v.query.query,
      })),
  ];
  assert.ok(all.length >= 10, "the dashboard has its panels");
  for (const { panel, expr } of all) {
    const names = seriesOf(expr);
    assert.ok(names.length > 0, `"${panel}" queries no SpiritStream series: ${expr}`);
    for (const name of names) {
      assert.ok(exported.has(name), `"${panel}" reads ${name}, which /metrics does not export`);
    }
  }
  for (const series of ["target_state", "target_bitrate_kbps", "ingest_bitrate_kbps"]) {
    assert.ok(
      all.some((q) => q.expr.includes(`spiritstream_${series}`)),
      `a panel shows ${series}`,
    );
  }
});
