import { type BenchContext, type Section, table } from "./lib/report.ts";
import { fixed } from "./lib/summary.ts";
import { benchWsFanout, type WsFanoutRun, type WsInvokeRun } from "./ws_fanout.ts";

const GOAL_MS = 50;
const GOAL_CLIENTS = 1000;
/** Invoke → the last of 1000 clients, p99 (the median over the trials). */
const INVOKE_GOAL_MS = 25;

/**
 * The `/ws` fan-out rows: calls `benchWsFanout` from `bench/ws_fanout.ts` (its definitions hold:
 * real WebSocket clients in a separate process, latency from publish to every client) for
 * 100/1000/5000 clients in both layouts, and checks the 1000-client p99 of the desktop host.
 */
export async function benchWsFanoutSection(ctx: BenchContext): Promise<Section> {
  const clients = ctx.quick ? [100, 1000] : [100, 1000, 5000];
  ctx.log(`ws fan-out: ${clients.join("/")} clients, host and nats layouts`);
  const result = await benchWsFanout({ clients, modes: ["host", "nats"] });
  const runs: WsFanoutRun[] = result.runs;
  const goalRun = runs.find((r) => r.mode === "host" && r.clients === GOAL_CLIENTS);
  const trials = ctx.quick ? 1 : 5;
  ctx.log(`ws fan-out: invoke → last of ${GOAL_CLIENTS} clients, ${trials} trials`);
  const invoked = await benchWsFanout({ clients: [GOAL_CLIENTS], modes: ["invoke"], trials });
  const invokeRuns: WsInvokeRun[] = invoked.invokeRuns;
  const invokeRun = invokeRuns[0];
  const markdown = [
    "Measured by `benchWsFanout()` of `bench/ws_fanout.ts` (`deno run -A bench/ws_fanout.ts " +
    `--clients=${clients.join(",")} --modes=host,nats\` prints the same as JSON): the clients ` +
    `run in a separate process; ${result.latencyEvents} events are published one by one and ` +
    "latency is publish → received by each client; p50/p99 over every (event, client) frame. " +
    "`host` = the one-process host (in-process bus); `nats` = two gateway processes and the " +
    "events service over nats-server, clients split between the gateways. The burst column is " +
    "events per second delivered to every client (up to 1000 clients).",
    "",
    table(
      [
        "layout",
        "clients",
        "connected",
        "p50 (ms)",
        "p99 (ms)",
        "max (ms)",
        "burst events/s",
        "idle RSS/conn",
      ],
      runs.map((r) => [
        r.mode,
        String(r.clients),
        String(r.connected),
        fixed(r.latencyMs.p50),
        fixed(r.latencyMs.p99),
        fixed(r.latencyMs.max),
        r.burst ? String(r.burst.eventsPerSec) : "-",
        r.idleBytesPerConnection ? `${fixed(r.idleBytesPerConnection.rss / 1024, 1)} KiB` : "-",
      ]),
    ),
    "",
    "Invoke → last client: the desktop host (`deno run -A main.ts`, every service, log level " +
    "`warn`) with the clients in a separate process (`deno run -A bench/ws_fanout.ts " +
    `--clients=${GOAL_CLIENTS} --modes=invoke --trials=${trials}\`). The clients' process sends ` +
    "`POST /api/invoke/save_settings` (the settings as they are: a real command whose effect is " +
    "a `settings_changed` event to every client) and times, on its own clock, from just before " +
    "the request to the arrival of that event at the LAST of the clients; one invoke at a time, " +
    `${invokeRun?.invokesPerTrial ?? "-"} per trial after one warm-up trial. p50/p99 are the ` +
    "median of the per-trial percentiles; the spread is the lowest–highest trial.",
    "",
    table(
      [
        "clients",
        "connected",
        "p50 (ms)",
        "p99 (ms)",
        "p50 spread",
        "p99 spread",
        "per trial p50/p99",
        "floor p50/p99 (p99 spread)",
      ],
      invokeRuns.map((r) => [
        String(r.clients),
        String(r.connected),
        fixed(r.p50),
        fixed(r.p99),
        `${fixed(r.p50Range[0])}–${fixed(r.p50Range[1])}`,
        `${fixed(r.p99Range[0])}–${fixed(r.p99Range[1])}`,
        r.trials.map((t) => `${fixed(t.p50)}/${fixed(t.p99)}`).join(", "),
        `${fixed(r.floor.p50)}/${fixed(r.floor.p99)} (${fixed(r.floor.p99Range[0])}–${
          fixed(r.floor.p99Range[1])
        })`,
      ]),
    ),
    "",
    "Floor: the same clients and measurement, right after, against `bench/ws_fanout_floor.ts` " +
    "(a bare `Deno.serve` + `Deno.upgradeWebSocket` server that sends the frame to every socket " +
    "when asked, with none of our code): what the runtime's per-socket writes and this machine " +
    "cost by themselves at that moment.",
  ].join("\n");
  return {
    title: "WebSocket fan-out latency",
    markdown,
    goals: [{
      goal: `WS fan-out p99, ${GOAL_CLIENTS} clients (desktop host)`,
      measured: goalRun ? `${fixed(goalRun.latencyMs.p99)} ms` : "not measured",
      target: `≤ ${GOAL_MS} ms`,
      pass: goalRun ? goalRun.latencyMs.p99 <= GOAL_MS : null,
    }, {
      goal: `WS invoke → last of ${GOAL_CLIENTS} clients, p99 (desktop host)`,
      measured: invokeRun
        ? `${fixed(invokeRun.p99)} ms (trials ${fixed(invokeRun.p99Range[0])}–${
          fixed(invokeRun.p99Range[1])
        })`
        : "not measured",
      target: `≤ ${INVOKE_GOAL_MS} ms`,
      pass: invokeRun ? invokeRun.p99 <= INVOKE_GOAL_MS : null,
    }],
    raw: { runs, invokeRuns },
  };
}
