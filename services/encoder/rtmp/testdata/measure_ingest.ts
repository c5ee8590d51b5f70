// deno-lint-ignore-file no-console
/**
 * Prints what the ingest's hostile-socket tests assert, as numbers:
 *
 *   deno run -A services/encoder/rtmp/testdata/measure_ingest.ts [runs=3]
 *
 * Per run: time to live for a real FFmpeg publisher unattacked and under 200 idle + 8 oversized
 * re-opening sockets, the attack's size, the ingest's peak RSS before and after; then the RSS
 * of 200 connections held at the pre-publish limits.
 * @module
 */
import { measurePendingRss } from "./ingest_memory.ts";
import { runLockout } from "./ingest_lockout.ts";

const runs = Number(Deno.args[0] ?? 3);
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
for (let i = 0; i < runs; i++) {
  const r = await runLockout({ maxPending: 64, idle: 200, oversized: 8, holdMs: 2000 });
  console.log(
    `lockout run ${i + 1}: live in ${r.quietMs} ms unattacked, ${r.attackedMs} ms under attack ` +
      `(${r.pendingWhenLive} pending when live, ${r.opened} attack connections, ` +
      `${mib(r.bodyBytes)} of oversized bodies written); peak RSS ${mib(r.peakBefore)} → ${
        mib(r.peakAfter)
      }`,
  );
}
const m = await measurePendingRss(200);
console.log(
  `pending memory: ${m.held} held, RSS ${mib(m.rssBefore)} → ${mib(m.rssAfter)}, ` +
    `${(m.perConnection / 1024).toFixed(1)} KiB per connection`,
);
