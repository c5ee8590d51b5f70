import { BusEvent, eventFilter } from "@spiritstream/contracts";
import type { Bus, Subscription } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";

/** One connected `/ws` socket, as the hub sees it. */
export interface WsClient {
  tenantId: string;
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** Fans events from the bus's durable stream out to the sockets of their tenant. */
export interface WsHub {
  add(client: WsClient): () => void;
  size(): number;
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** Options for {@linkcode createWsHub}. */
export interface WsHubOptions {
  logger: Logger;
  onCountChange?: (count: number) => void;
  onFrame?: () => void;
}

/** Starts following the event stream from now on and returns the hub. */
export function createWsHub(bus: Bus, options: WsHubOptions): WsHub {
  const { logger, onCountChange, onFrame } = options;
  const clients = new Set<WsClient>();
  const subscription: Subscription = bus.follow(eventFilter(), {}, (record) => {
    const parsed = BusEvent.safeParse(record.data);
    if (!parsed.success) {
      logger.warn({ subject: record.subject }, "Dropped a malformed event from the bus");
      return;
    }
    const { tenantId, event, payload } = parsed.data;
    const frame = JSON.stringify({ event, payload, id: String(record.seq) });
    for (const client of clients) {
      if (client.tenantId !== tenantId) continue;
      try {
        client.send(frame);
        onFrame?.();
      } catch {
        clients.delete(client);
      }
    }
  });
  return {
    add(client) {
      clients.add(client);
      onCountChange?.(clients.size);
      return () => {
        clients.delete(client);
        onCountChange?.(clients.size);
      };
    },
    size: () => clients.size,
    ready: subscription.ready,
    async close() {
      await subscription.close();
      for (const client of clients) client.close(1001, "Server shutting down");
      clients.clear();
    },
  };
}
