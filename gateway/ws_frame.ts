/** One event as the hub sends it: serialised once, shared by every client of its tenant. */
export interface WsFrame {
  /** The event's sequence number in the stream; its `id` on the wire. */
  seq: number;
  tenantId: string;
  /** The JSON text up to the id's value, so a frame can be re-stamped without re-serialising. */
  head: string;
  /** `{"event":…,"payload":…,"id":"<seq>"}` */
  text: string;
  /** Approximate size in bytes (UTF-16 length). */
  bytes: number;
  /** Coalescing key of a stats event (one group or one target), else null. */
  statsKey: string | null;
  /** The group a `stream_ended` ends (its stats keys start with `g\u0000<id>` / `t\u0000<id>\u0000`), else null. */
  endsGroup: string | null;
}

/** Builds the frame of one event. */
export function createWsFrame(
  record: { seq: number; tenantId: string },
  event: { event: string; payload: unknown },
): WsFrame {
  const head = `{"event":${JSON.stringify(event.event)},"payload":${
    JSON.stringify(event.payload ?? null)
  },"id":"`;
  const text = stampFrame(head, record.seq);
  return {
    seq: record.seq,
    tenantId: record.tenantId,
    head,
    text,
    bytes: text.length,
    statsKey: statsKeyOf(event.event, event.payload),
    endsGroup: event.event === "stream_ended" && typeof event.payload === "string"
      ? event.payload
      : null,
  };
}

/** The frame text with a given id. */
export function stampFrame(head: string, id: number): string {
  return `${head}${id}"}`;
}

/** Whether a stats key (from {@linkcode createWsFrame}) is of one group or of its targets. */
export function isStatsKeyOf(key: string, groupId: string): boolean {
  return key === `g\u0000${groupId}` || key.startsWith(`t\u0000${groupId}\u0000`);
}

function statsKeyOf(event: string, payload: unknown): string | null {
  if (event !== "stream_stats" && event !== "target_stats") return null;
  const p = (payload ?? {}) as { groupId?: unknown; targetId?: unknown };
  const group = typeof p.groupId === "string" ? p.groupId : "";
  if (event === "stream_stats") return `g\u0000${group}`;
  const target = typeof p.targetId === "string" ? p.targetId : "";
  return `t\u0000${group}\u0000${target}`;
}
