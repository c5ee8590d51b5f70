import { EVENTS } from "@spiritstream/contracts";
import { type Bus, createEventPublisher } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";

/** Engine events onto the bus: lifecycle events in order and never dropped, stats coalesced. */
export interface EventSink {
  /** Queues an event; never blocks and never throws. */
  emit(tenantId: string, event: string, payload: unknown): void;
  /** Resolves once everything queued so far has been sent (or failed and been logged). */
  flush(): Promise<void>;
  /** Stats events replaced by a newer one before they could be sent. */
  readonly dropped: number;
}

/** Periodic counters: only the newest value matters, so a slow bus may skip older ones. */
const STATS_EVENTS = new Set(["stream_stats", "target_stats"]);

interface Queued {
  tenantId: string;
  event: string;
  payload: unknown;
}

interface StatsSlot {
  tenantId: string;
  groupId: unknown;
  /** The send in flight, if any. */
  sending: Promise<void> | null;
  next: Queued | null;
}

/**
 * Publishes engine events with `createEventPublisher`. Lifecycle events (`target_status`,
 * `stream_error`, `stream_ended`, ...) are appended one after another per tenant, so clients see
 * them in order. Stats events never pile up behind a slow bus: per group (and target) at most one
 * is in flight and one waits; a newer one replaces the waiting one, which counts as dropped.
 * `stream_ended` closes its group's stats: the waiting ones are dropped and it is appended only
 * after those in flight, so nothing of a stream lands on the bus after its end.
 */
export function createEventSink(bus: Bus, logger: Logger): EventSink {
  const publisher = createEventPublisher(bus, EVENTS);
  const chains = new Map<string, Promise<void>>();
  const slots = new Map<string, StatsSlot>();
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;

  function send({ tenantId, event, payload }: Queued): Promise<void> {
    const sending = publisher.emit(tenantId, event as keyof typeof EVENTS, payload as never)
      .then(() => {}, (error) => logger.warn({ err: error, event }, "Event not published"));
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
    return sending;
  }

  function sendStats(key: string, slot: StatsSlot): void {
    const next = slot.next;
    if (!next) {
      slots.delete(key);
      return;
    }
    slot.next = null;
    slot.sending = send(next).then(() => {
      slot.sending = null;
      sendStats(key, slot);
    });
  }

  /** Drops the group's waiting stats; resolves once its stats in flight are on the bus. */
  function endStats(tenantId: string, groupId: string): Promise<unknown> {
    const sending: Promise<void>[] = [];
    for (const slot of slots.values()) {
      if (slot.tenantId !== tenantId || slot.groupId !== groupId) continue;
      if (slot.next) dropped++;
      slot.next = null;
      if (slot.sending) sending.push(slot.sending);
    }
    return Promise.all(sending);
  }

  return {
    emit(tenantId, event, payload) {
      if (STATS_EVENTS.has(event)) {
        const key = statsKey({ tenantId, event, payload });
        const groupId = (payload as { groupId?: unknown } | null)?.groupId;
        const slot = slots.get(key) ?? { tenantId, groupId, sending: null, next: null };
        slots.set(key, slot);
        if (slot.next) dropped++;
        slot.next = { tenantId, event, payload };
        if (!slot.sending) sendStats(key, slot);
        return;
      }
      const previous = chains.get(tenantId) ?? Promise.resolve();
      const ending = event === "stream_ended" && typeof payload === "string"
        ? endStats(tenantId, payload)
        : null;
      const chained = previous.then(() => ending).then(() => send({ tenantId, event, payload }));
      chains.set(tenantId, chained);
      void chained.then(() => {
        if (chains.get(tenantId) === chained) chains.delete(tenantId);
      });
    },
    async flush() {
      while (inFlight.size > 0 || chains.size > 0 || slots.size > 0) {
        await Promise.all([...inFlight, ...chains.values()]);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    },
    get dropped() {
      return dropped;
    },
  };
}

function statsKey({ tenantId, event, payload }: Queued): string {
  const p = (payload ?? {}) as { groupId?: unknown; targetId?: unknown };
  return JSON.stringify([tenantId, event, p.groupId ?? null, p.targetId ?? null]);
}
