/**
 * Whether a relayed stream kept real time over a window, judged from what its nginx-rtmp
 * destination received: the media clock of the stream's publisher (`<timestamp>` of its
 * `<client>` in `rtmp_stat`: the RTMP timestamp of the last message it sent, in ms) must
 * advance by at least `minRatio` of the wall time between two reads, and no frame may have
 * been dropped by the relay on the way (its own counter, read by the caller).
 * @module
 */

/** One stream in one `rtmp_stat` read. */
export interface StreamClock {
  name: string;
  /** Whether a publisher is attached. */
  publishing: boolean;
  /** The publisher's media clock: RTMP timestamp of its last message (ms). */
  mediaMs: number;
  bytesIn: number;
  /** Frames nginx dropped for this stream's non-publishing clients (players, `push` relays). */
  droppedByRelay: number;
}

/** Parses the `<stream>` blocks of an `rtmp_stat` XML answer, by stream name. */
export function parseStreamClocks(xml: string): Map<string, StreamClock> {
  const out = new Map<string, StreamClock>();
  for (const [, block] of xml.matchAll(/<stream>([\s\S]*?)<\/stream>/g)) {
    const clients = [...block!.matchAll(/<client>([\s\S]*?)<\/client>/g)].map((m) => m[1]!);
    const own = block!.replace(/<client>[\s\S]*?<\/client>/g, "").replace(
      /<meta>[\s\S]*?<\/meta>/,
      "",
    );
    const name = tag(own, "name");
    const publisher = clients.find((c) => c.includes("<publishing/>"));
    let dropped = 0;
    for (const c of clients) if (c !== publisher) dropped += Number(tag(c, "dropped")) || 0;
    out.set(name, {
      name,
      publishing: own.includes("<publishing/>") && publisher !== undefined,
      mediaMs: publisher ? Number(tag(publisher, "timestamp")) || 0 : 0,
      bytesIn: Number(tag(own, "bytes_in")) || 0,
      droppedByRelay: dropped,
    });
  }
  return out;
}

function tag(xml: string, name: string): string {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? "";
}

/** A stream's two reads around a window, and what the relay says it dropped meanwhile. */
export interface WindowReads {
  before: StreamClock | undefined;
  after: StreamClock | undefined;
  /** Wall time between the two reads (ms). */
  wallMs: number;
  /** Frames (or FLV tags) the relay dropped for this stream in the window. */
  droppedFrames: number;
  /** Reconnects of the relay's link to this destination in the window. */
  reconnects: number;
}

/** The verdict on one stream for one window. */
export interface RealTimeVerdict {
  ok: boolean;
  /** Media time advanced / wall time (0 when the stream was missing). */
  ratio: number;
  /** Why it fell behind (empty when ok). */
  reason: string;
}

/** Below this share of wall time, a destination fell behind real time. */
export const MIN_REAL_TIME_RATIO = 0.97;

/**
 * Kept real time: publishing at both reads, media clock advanced ≥ `minRatio` × wall time, no
 * dropped frames and no reconnect in between.
 */
export function keptRealTime(reads: WindowReads, minRatio = MIN_REAL_TIME_RATIO): RealTimeVerdict {
  const { before, after, wallMs } = reads;
  if (!before?.publishing || !after?.publishing) {
    return { ok: false, ratio: 0, reason: "not publishing at the destination" };
  }
  if (!(wallMs > 0)) return { ok: false, ratio: 0, reason: "no window" };
  const ratio = (after.mediaMs - before.mediaMs) / wallMs;
  if (ratio < minRatio) {
    return {
      ok: false,
      ratio: Math.max(0, ratio),
      reason: `media advanced ${(Math.max(0, ratio) * 100).toFixed(1)} % of wall time`,
    };
  }
  if (reads.droppedFrames > 0) {
    return { ok: false, ratio, reason: `${reads.droppedFrames} frame(s) dropped by the relay` };
  }
  if (reads.reconnects > 0) {
    return { ok: false, ratio, reason: `${reads.reconnects} reconnect(s)` };
  }
  return { ok: true, ratio, reason: "" };
}
