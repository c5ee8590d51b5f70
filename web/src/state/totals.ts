import type { GroupLive } from "./stream.ts";

/** The dashboard's totals. */
export interface Totals {
  /** kbit/s actually leaving: the sum over targets that are live. */
  bitrate: number;
  dropped: number;
  live: number;
  targets: number;
  failing: number;
  startedAt: number | null;
}

/**
 * Sums the groups. "Outgoing" is what the live targets send: a group that runs while its
 * targets connect or reconnect sends nothing anywhere, whatever its encoder produces.
 */
export function sumTotals(groups: readonly GroupLive[]): Totals {
  let bitrate = 0, dropped = 0, live = 0, targets = 0, failing = 0;
  let startedAt: number | null = null;
  for (const g of groups) {
    if (g.state === "live" && g.stats) dropped += g.stats.droppedFrames;
    if (g.startedAt !== null && g.state !== "idle") {
      startedAt = startedAt === null ? g.startedAt : Math.min(startedAt, g.startedAt);
    }
    for (const t of Object.values(g.targets)) {
      targets++;
      if (t.state === "live") {
        live++;
        bitrate += t.bitrate ?? 0;
      }
      if (t.state === "failed" || t.state === "reconnecting") failing++;
    }
  }
  return { bitrate, dropped, live, targets, failing, startedAt };
}
