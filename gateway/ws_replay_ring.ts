import type { WsFrame } from "./ws_frame.ts";

/** Options for {@linkcode createReplayRing}. */
export interface ReplayRingOptions {
  maxFrames: number;
  maxBytes: number;
}

/** The newest frames of every tenant, in stream order, for `since` replay. */
export interface ReplayRing {
  push(frame: WsFrame): void;
  /**
   * Every record after this sequence number is in the ring (or not yet seen): a client whose
   * cursor is at or past it can be served from here.
   */
  base(): number;
  /** Sets the base before any frame is pushed (the hub skips older history). */
  startAfter(seq: number): void;
  /** The tenant's frames after `seq`, oldest first, at most `limit` of them. */
  after(seq: number, tenantId: string, limit: number): WsFrame[];
  size(): number;
}

/** Creates a ring bounded by frame count and by bytes; the oldest frames go first. */
export function createReplayRing(options: ReplayRingOptions): ReplayRing {
  const { maxFrames, maxBytes } = options;
  let frames: WsFrame[] = [];
  let head = 0;
  let bytes = 0;
  let base = 0;

  function evict(): void {
    while (frames.length - head > maxFrames || (bytes > maxBytes && frames.length - head > 1)) {
      const old = frames[head]!;
      head++;
      bytes -= old.bytes;
      base = old.seq;
    }
    if (head > 1024 && head * 2 > frames.length) {
      frames = frames.slice(head);
      head = 0;
    }
  }

  return {
    push(frame) {
      frames.push(frame);
      bytes += frame.bytes;
      evict();
    },
    base: () => base,
    startAfter(seq) {
      base = seq;
    },
    after(seq, tenantId, limit) {
      // Sequence numbers grow along the ring: find the first newer one by bisection.
      let lo = head;
      let hi = frames.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (frames[mid]!.seq <= seq) lo = mid + 1;
        else hi = mid;
      }
      const out: WsFrame[] = [];
      for (let i = lo; i < frames.length && out.length < limit; i++) {
        if (frames[i]!.tenantId === tenantId) out.push(frames[i]!);
      }
      return out;
    },
    size: () => frames.length - head,
  };
}
