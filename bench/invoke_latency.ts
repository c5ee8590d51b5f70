import { startDesktopHost } from "./lib/desktop_host.ts";
import { invoke } from "./lib/invoke.ts";
import { startNatsStack } from "./lib/nats_stack.ts";
import { type BenchContext, type Section, table } from "./lib/report.ts";
import { fixed, median, percentile } from "./lib/summary.ts";

const REQUESTS = 1000;
const WARMUP = 200;

/** p50/p99 per round, in milliseconds. */
interface LatencyRounds {
  p50: number[];
  p99: number[];
}

/**
 * `get_settings` latency over HTTP, 1000 sequential requests after 200 warm-up requests: the
 * desktop host (in-process bus, SQLite) and the self-host layout (gateway and profiles as
 * separate processes over a real nats-server).
 */
export async function benchInvokeLatency(ctx: BenchContext): Promise<Section> {
  const requests = ctx.quick ? 200 : REQUESTS;
  const rounds = ctx.quick ? 1 : 3;
  ctx.log("invoke latency: desktop host");
  const host = await startDesktopHost({ logLevel: "warn" });
  let desktop: LatencyRounds;
  try {
    desktop = await measure(host.base, requests, rounds);
  } finally {
    await host.stop();
  }
  ctx.log("invoke latency: gateway + profiles over NATS");
  const stack = await startNatsStack({ processes: ["profiles", "auth", "gateway"] });
  let nats: LatencyRounds;
  try {
    nats = await measure(stack.base, requests, rounds);
  } finally {
    await stack.stop();
  }
  const markdown = [
    `Definition: ${requests} sequential \`POST /api/invoke/get_settings\` (one keep-alive HTTP ` +
    `client, each awaited before the next) after ${WARMUP} warm-up requests; latency = ` +
    `client-side time from send to the parsed JSON envelope. ${rounds} rounds; the table shows ` +
    "the median of the per-round percentiles. Both at log level `warn` (the per-request info " +
    "line costs the same in both and is not what this measures).",
    "",
    "- in-process: `deno run -A main.ts` (gateway and services over the in-process bus, SQLite).",
    "- over NATS: `nats-server -js`, `deno run -A gateway/main.ts`, `services/profiles/main.ts` " +
    "and `services/auth/main.ts` as separate processes (profiles on SQLite).",
    "",
    table(
      ["path", "p50 (ms)", "p99 (ms)", "per-round p50 / p99"],
      [
        ["in-process (desktop host)", desktop, "in"],
        ["over NATS (gateway + profiles processes)", nats, "nats"],
      ].map(([name, r]) => {
        const rounds = r as LatencyRounds;
        return [
          name as string,
          fixed(median(rounds.p50), 3),
          fixed(median(rounds.p99), 3),
          rounds.p50.map((p, i) => `${fixed(p, 2)}/${fixed(rounds.p99[i]!, 2)}`).join(", "),
        ];
      }),
    ),
  ].join("\n");
  return {
    title: "Invoke latency (get_settings)",
    markdown,
    goals: [],
    raw: { desktop, nats },
  };
}

async function measure(base: string, requests: number, rounds: number): Promise<LatencyRounds> {
  const out: LatencyRounds = { p50: [], p99: [] };
  for (let i = 0; i < WARMUP; i++) await expectOk(base);
  for (let round = 0; round < rounds; round++) {
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const t0 = performance.now();
      await expectOk(base);
      times.push(performance.now() - t0);
    }
    out.p50.push(percentile(times, 50));
    out.p99.push(percentile(times, 99));
  }
  return out;
}

async function expectOk(base: string): Promise<void> {
  const reply = await invoke(base, "get_settings", {});
  if (reply.status !== 200) throw new Error(`get_settings answered ${reply.status}`);
}
