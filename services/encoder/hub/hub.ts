import { monotonicNow } from "@spiritstream/kit";
import { compositionOffset, type FlvTag, isKeyframe, isSequenceHeader } from "../flv/flv.ts";
import { KeyframeGate } from "../flv/keyframe_gate.ts";
import { ByteArena } from "./byte_arena.ts";
import type { MediaLogger } from "./media_logger.ts";
import { isOnMetaData } from "../flv/set_data_frame.ts";

/** Where tags come from: an ingest publish session, or an FFmpeg output read with FlvReader. */
export interface MediaSource {
  onTag(listener: (tag: FlvTag) => void): () => void;
  /** When it settles the hub detaches the source (sinks stay). */
  readonly closed: Promise<unknown>;
}

/** Where tags go: an RTMP push, or an FlvWriter into an FFmpeg stdin. */
export interface MediaSink {
  /** Must not block; the sink queues. */
  write(tag: FlvTag): void;
  /** How far behind the sink is; the hub drops for it above its limits. */
  readonly queuedBytes: number;
  /** Called when the source leaves (meters drop their rates to zero at once). */
  sourceEnded?(): void;
}

/** Options for {@linkcode createMediaHub}. */
export interface MediaHubOptions {
  logger?: MediaLogger;
  /** A sink this far behind loses video until the next keyframe. @default 3 MiB */
  sinkHighWaterBytes?: number;
  /** A sink this far behind loses audio too. @default 6 MiB */
  sinkMaxBytes?: number;
  /** The GOP cache is abandoned (until the next keyframe) beyond this size. @default 16 MiB */
  gopCacheMaxBytes?: number;
  /** … or beyond this many tags. @default 3000 */
  gopCacheMaxTags?: number;
  /** Timeline gap inserted when a new source takes over. @default 40 */
  reconnectGapMs?: number;
}

/** Counters of one sink (see {@linkcode MediaHub.sinkStats}). */
export interface MediaHubSinkStats {
  queuedBytes: number;
  sentTags: number;
  droppedTags: number;
  waitingForKeyframe: boolean;
}

/** Counters for dashboards and tests. */
export interface MediaHubStats {
  live: boolean;
  /** Media payload bytes received from all sources. */
  bytesIn: number;
  /** Ingest bitrate over the last second. */
  kbps: number;
  /** Video frame rate from the last two seconds of video timestamps. */
  fps: number;
  sources: number;
  sinks: MediaHubSinkStats[];
}

/** The in-memory fan-out between one source and many sinks. */
export interface MediaHub {
  /** Makes `source` the live source, replacing (detaching) the previous one. */
  attachSource(source: MediaSource): void;
  /** Detaches the current source; sinks stay attached and wait for the next one. */
  detachSource(): void;
  /** Adds a sink; while live it gets metadata, sequence headers and the cached GOP at once. */
  addSink(sink: MediaSink): void;
  removeSink(sink: MediaSink): void;
  readonly live: boolean;
  stats(): MediaHubStats;
  /** Counters of one attached sink (what the hub dropped for it), or undefined. */
  sinkStats(sink: MediaSink): MediaHubSinkStats | undefined;
}

/**
 * The most a frame's composition offset counts for a splice: real encoders reorder a few frames
 * (x264's 16 B-frames at 30 fps: 533 ms); a publisher sending the field's maximum (2.3 h) must not
 * move the next source's timeline by hours.
 */
const MAX_REORDER_MS = 1000;

/** A video frame's composition offset, bounded to what a real encoder's reordering gives. */
function reorderOf(tag: FlvTag): number {
  return Math.min(Math.max(compositionOffset(tag), 0), MAX_REORDER_MS);
}

/** Granularity of the ingest bitrate window. */
const BYTE_BUCKET_MS = 100;

interface SinkState {
  sink: MediaSink;
  gate: KeyframeGate;
  /** Hub timestamp that maps to 0 on this sink's timeline; set by its first tag. */
  base: number | null;
  sent: number;
}

/**
 * Creates the hub. Timestamps are rebased per source so that, across publisher reconnects,
 * every sink sees one timeline that keeps increasing and starts at 0 for that sink.
 */
export function createMediaHub(options: MediaHubOptions = {}): MediaHub {
  const {
    logger,
    sinkHighWaterBytes = 3 * 1024 * 1024,
    sinkMaxBytes = 6 * 1024 * 1024,
    gopCacheMaxBytes = 16 * 1024 * 1024,
    gopCacheMaxTags = 3000,
    reconnectGapMs = 40,
  } = options;
  const sinks = new Map<MediaSink, SinkState>();
  let source: MediaSource | null = null;
  let unsubscribe: (() => void) | null = null;
  let sourcesSeen = 0;
  // Per source: hubTs = sourceTs + offset, decided on the source's first tag.
  let offset: number | null = null;
  let maxOut = -1;
  // The latest presentation time out (a video frame's timestamp is its decode time; with
  // B-frames one already sent may show up to a few frames later): a splice starts after it, or
  // the new source's first keyframe would be presented before the old source's last frames.
  let maxShown = -1;
  const lastOut = { audio: -1, video: -1, data: -1 };
  // The last audio / video FRAME (not sequence header) out: frames of a track never share a
  // timestamp (a muxer refuses equal DTS; a splice clamped onto the old timeline would give them).
  const lastFrame = { audio: -1, video: -1, data: -Infinity };
  // Per splice: whether a track has had its first frame on the new timeline. The splice is
  // decided on the new source's first tag; a track that starts behind it (audio leading video)
  // would land on the old timeline's last frames, so its first frame moves the offset on instead.
  const placed = { audio: false, video: false, data: true };
  let metadata: FlvTag | null = null;
  let videoHeader: FlvTag | null = null;
  let audioHeader: FlvTag | null = null;
  let gop: FlvTag[] = [];
  let gopBytes = 0;
  // The cached GOP's payloads live in reused memory, so the ingest's own buffers die young.
  const gopArena = new ByteArena();
  let caching = false;
  let bytesIn = 0;
  const byteWindow: { at: number; bytes: number }[] = [];
  const frameWindow: { at: number; ts: number }[] = [];

  function ingest(tag: FlvTag): void {
    const now = monotonicNow();
    bytesIn += tag.payload.length;
    // One entry per 100 ms, not per tag: the bitrate window stays a handful of objects.
    const bucket = byteWindow[byteWindow.length - 1];
    if (bucket !== undefined && now - bucket.at < BYTE_BUCKET_MS) {
      bucket.bytes += tag.payload.length;
    } else byteWindow.push({ at: now, bytes: tag.payload.length });
    prune(now);

    if (offset === null) offset = splice(maxOut < 0 ? 0 : spliceAt() - tag.timestamp);
    else if (tag.timestamp + offset < lastOut[tag.type] - 1000) {
      // The source restarted its clock without reconnecting: splice like a new source.
      offset = splice(spliceAt() - tag.timestamp);
    }
    const header = isSequenceHeader(tag);
    const frame = !header && tag.type !== "data";
    if (frame && !placed[tag.type]) {
      placed[tag.type] = true;
      // Video: the first frame is presented after the old source's last one, too.
      const last = tag.type === "video"
        ? Math.max(lastFrame.video, maxShown - reorderOf(tag))
        : lastFrame.audio;
      const behind = last + reconnectGapMs - (tag.timestamp + offset);
      // Raising the offset keeps the tracks in sync; the track that led skips that much once.
      if (last >= 0 && behind > 0) offset += behind;
    }
    let ts = Math.max(tag.timestamp + offset, lastOut[tag.type], 0);
    if (frame) {
      if (ts <= lastFrame[tag.type]) ts = lastFrame[tag.type] + 1;
      lastFrame[tag.type] = ts;
    }
    lastOut[tag.type] = ts;
    if (ts > maxOut) maxOut = ts;
    if (frame && tag.type === "video") maxShown = Math.max(maxShown, ts + reorderOf(tag));
    const out: FlvTag = { type: tag.type, timestamp: ts, payload: tag.payload };

    const key = tag.type === "video" && !header && isKeyframe(tag);
    // Kept for the whole session: own copies, so they do not pin the ingest's payload slabs.
    if (tag.type === "data") {
      if (isOnMetaData(tag.payload)) metadata = { ...out, payload: out.payload.slice() };
    } else if (header && tag.type === "video") {
      videoHeader = { ...out, payload: out.payload.slice() };
    } else if (header) audioHeader = { ...out, payload: out.payload.slice() };
    else {
      if (tag.type === "video") frameWindow.push({ at: now, ts: tag.timestamp });
      cache(out, key);
    }
    for (const state of sinks.values()) deliver(state, out);
  }

  /** Where a new timeline's time 0 lands: after everything the old one sent or will show. */
  function spliceAt(): number {
    return Math.max(maxOut, maxShown) + reconnectGapMs;
  }

  /** A new timeline begins: each track's first frame is placed again. */
  function splice(to: number): number {
    placed.audio = false;
    placed.video = false;
    return to;
  }

  function cache(tag: FlvTag, key: boolean): void {
    if (key) {
      gopArena.reset();
      gop = [];
      gopBytes = 0;
      caching = true;
    }
    if (!caching) return;
    gop.push({ type: tag.type, timestamp: tag.timestamp, payload: gopArena.copy(tag.payload) });
    gopBytes += tag.payload.length;
    if (gopBytes > gopCacheMaxBytes || gop.length > gopCacheMaxTags) {
      // A GOP this long is not worth replaying; late sinks wait for the next keyframe.
      gop = [];
      gopBytes = 0;
      caching = false;
      gopArena.reset();
    }
  }

  function deliver(state: SinkState, tag: FlvTag): void {
    if (!state.gate.admit(tag, state.sink.queuedBytes)) return;
    state.base ??= tag.timestamp;
    try {
      const timestamp = Math.max(0, tag.timestamp - state.base);
      state.sink.write({ type: tag.type, timestamp, payload: tag.payload });
      state.sent++;
    } catch (error) {
      logger?.warn({ err: error }, "Media sink write failed");
    }
  }

  function prune(now: number): void {
    while (byteWindow.length > 0 && now - byteWindow[0]!.at > 1000) byteWindow.shift();
    while (frameWindow.length > 0 && now - frameWindow[0]!.at > 2000) frameWindow.shift();
  }

  function resetSourceState(): void {
    offset = null;
    metadata = null;
    videoHeader = null;
    audioHeader = null;
    gop = [];
    gopBytes = 0;
    caching = false;
    gopArena.release();
    frameWindow.length = 0;
  }

  function sinkCounters(s: SinkState): MediaHubSinkStats {
    return {
      queuedBytes: s.sink.queuedBytes,
      sentTags: s.sent,
      droppedTags: s.gate.dropped,
      waitingForKeyframe: s.gate.waitingForKeyframe,
    };
  }

  const hub: MediaHub = {
    attachSource(next) {
      if (source === next) return;
      hub.detachSource();
      source = next;
      sourcesSeen++;
      resetSourceState();
      // The new source starts with its own headers and a keyframe; never splice old GOPs.
      for (const state of sinks.values()) state.gate.requireKeyframe();
      unsubscribe = next.onTag(ingest);
      next.closed.then(
        () => source === next && hub.detachSource(),
        () => source === next && hub.detachSource(),
      );
      logger?.info({ sinks: sinks.size, reconnect: sourcesSeen > 1 }, "Media hub source attached");
    },
    detachSource() {
      if (!source) return;
      unsubscribe?.();
      unsubscribe = null;
      source = null;
      resetSourceState();
      byteWindow.length = 0;
      for (const state of sinks.values()) state.sink.sourceEnded?.();
      logger?.info({ sinks: sinks.size }, "Media hub source detached");
    },
    addSink(sink) {
      if (sinks.has(sink)) return;
      const state: SinkState = {
        sink,
        gate: new KeyframeGate({
          videoLimitBytes: sinkHighWaterBytes,
          audioLimitBytes: sinkMaxBytes,
        }),
        base: null,
        sent: 0,
      };
      sinks.set(sink, state);
      if (!source || offset === null) return;
      // Join while live: start this sink's timeline at the cached GOP (or "now").
      state.base = gop[0]?.timestamp ?? Math.max(maxOut, 0);
      for (const tag of [metadata, videoHeader, audioHeader]) {
        if (tag) deliver(state, { ...tag, timestamp: Math.max(tag.timestamp, state.base) });
      }
      if (gop.length === 0) state.gate.requireKeyframe();
      // Own copies: the arena's are overwritten after the next keyframe, and a sink may queue.
      for (const tag of gop) deliver(state, { ...tag, payload: tag.payload.slice() });
    },
    removeSink(sink) {
      sinks.delete(sink);
    },
    get live() {
      return source !== null;
    },
    stats() {
      prune(monotonicNow());
      let windowBytes = 0;
      for (const entry of byteWindow) windowBytes += entry.bytes;
      let fps = 0;
      if (frameWindow.length >= 2) {
        const span = frameWindow[frameWindow.length - 1]!.ts - frameWindow[0]!.ts;
        if (span > 0) fps = Math.round(((frameWindow.length - 1) * 1000 / span) * 10) / 10;
      }
      return {
        live: source !== null,
        bytesIn,
        kbps: Math.round(windowBytes * 8 / 1000),
        fps,
        sources: sourcesSeen,
        sinks: [...sinks.values()].map(sinkCounters),
      };
    },
    sinkStats(sink) {
      const state = sinks.get(sink);
      return state ? sinkCounters(state) : undefined;
    },
  };
  return hub;
}
