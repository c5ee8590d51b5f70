import { startDesktopHost } from "./lib/desktop_host.ts";
import { processTree } from "./lib/proc_stats.ts";
import { type BenchContext, type Section, table } from "./lib/report.ts";
import { fixed, median } from "./lib/summary.ts";

const IDLE_MS = 10_000;

/**
 * One-process host cold start (spawn → first `/health` 200, polled every 25 ms) with a fresh
 * data dir (migrations included), and its RSS after 10 s idle.
 */
export async function benchColdStart(ctx: BenchContext): Promise<Section> {
  const startup: number[] = [];
  const rss: number[] = [];
  const restart: number[] = [];
  for (let run = 0; run < Math.min(ctx.runs, 3); run++) {
    const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-cold-" });
    try {
      const host = await startDesktopHost({ dataDir });
      try {
        startup.push(host.startupMs);
        await new Promise((resolve) => setTimeout(resolve, ctx.quick ? 2000 : IDLE_MS));
        const tree = await processTree(host.process.pid);
        rss.push(tree.reduce((sum, p) => sum + p.rssBytes, 0) / 1024 / 1024);
      } finally {
        await host.stop();
      }
      // The same data dir again: what a user sees on every later launch.
      const again = await startDesktopHost({ dataDir });
      restart.push(again.startupMs);
      await again.stop();
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
    ctx.log(
      `  cold start ${fixed(startup.at(-1)!, 0)} ms, restart ${
        fixed(restart.at(-1)!, 0)
      } ms, idle RSS ${fixed(rss.at(-1)!, 1)} MiB`,
    );
  }
  const markdown = [
    "Definition: wall time from spawning `deno run -A main.ts` (temp data dir, port from the " +
    "environment) to the first `GET /health` answering 200, polled every 25 ms; first with an " +
    "empty data dir (creates the SQLite files and runs migrations), then again on the same data " +
    "dir. Idle RSS: `/proc/<pid>/stat` rss of the host process " +
    `${(ctx.quick ? 2000 : IDLE_MS) / 1000} s after /health, nothing streaming. Median of ` +
    `${startup.length} runs. Includes Deno's module loading from its cache (no type check).`,
    "",
    table(
      ["measure", "median", "runs"],
      [
        ["cold start, empty data dir", `${fixed(median(startup), 0)} ms`, list(startup, 0)],
        ["start, existing data dir", `${fixed(median(restart), 0)} ms`, list(restart, 0)],
        ["idle RSS", `${fixed(median(rss), 1)} MiB`, list(rss, 1)],
      ],
    ),
  ].join("\n");
  return {
    title: "Cold start and idle memory",
    markdown,
    goals: [],
    raw: { startup, restart, rss },
  };
}

function list(values: number[], digits: number): string {
  return values.map((v) => fixed(v, digits)).join(", ");
}
