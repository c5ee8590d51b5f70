import type { RtmpConnectionLimits } from "./rtmp_connection.ts";

/**
 * What a connection may make the ingest hold before it published with a valid key. Commands
 * (connect, createStream, publish) are well under 16 KiB; SRS refuses chunk sizes above 64 KiB,
 * so encoders stay below that anyway. Together with the buffers below, one such connection
 * holds about 150 KiB at most (budget: 256 KiB).
 */
export const PRE_PUBLISH_LIMITS: RtmpConnectionLimits = {
  chunks: {
    maxChunkSize: 64 * 1024,
    maxMessageSize: 16 * 1024,
    maxPendingBytes: 32 * 1024,
    maxChunkStreams: 16,
    context: "before an authenticated publish",
  },
  maxQueuedBytes: 16 * 1024,
};

/** First buffer sizes of a connection that has not published yet (they grow within the limits). */
export const PRE_PUBLISH_BUFFERS = { input: 16 * 1024, output: 4 * 1024 };

/** Defaults of the ingest's budgets and deadlines. */
export const INGEST_DEFAULTS = {
  /** TCP accept to the end of the RTMP handshake. */
  handshakeTimeoutMs: 5_000,
  /** TCP accept to an authenticated publish. */
  publishTimeoutMs: 10_000,
  /** A publishing connection with no bytes for this long is dropped (a dead OBS). */
  idleTimeoutMs: 15_000,
  /** Connections waiting to publish, in all. */
  maxPending: 64,
  /** Connections waiting to publish from one non-loopback address. */
  maxPendingPerAddress: 8,
} as const;
