import { z } from "zod";
import { AppError } from "@spiritstream/contracts";
import { type NatsConnection, RequestError } from "@nats-io/transport-node";
import type { HandoverLink } from "./handover_link.ts";

const Request = z.object({ tenantId: z.string().min(1), to: z.string().min(1) });
const Answer = z.object({ handed: z.boolean() });

/** The subject worker `workerId` answers handover requests on. */
export function handoverSubject(workerId: string): string {
  return `spiritstream.encoder.handover.${workerId}`;
}

/**
 * The {@linkcode HandoverLink} over NATS request/reply, one subject per worker (no queue group:
 * exactly that process answers). A process that is gone has no subscription, and NATS answers
 * "no responders" at once: that is `gone`. A request that times out is an AppError
 * `unavailable` (the owner may still run the streams: do not take them).
 */
export function createNatsHandoverLink(
  nc: NatsConnection,
  options: { timeoutMs?: number } = {},
): HandoverLink {
  const timeoutMs = options.timeoutMs ?? 1000;
  const codec = { encode: (v: unknown) => JSON.stringify(v), decode: (s: string) => JSON.parse(s) };
  return {
    async ask(owner, request) {
      try {
        const reply = await nc.request(handoverSubject(owner), codec.encode(request), {
          timeout: timeoutMs,
        });
        return Answer.parse(codec.decode(reply.string())).handed ? "handed" : "not_owner";
      } catch (error) {
        if (error instanceof RequestError && error.isNoResponders()) return "gone";
        const reason = error instanceof Error ? error.message : String(error);
        throw new AppError("unavailable", `Encoder worker ${owner} did not answer: ${reason}`, {
          cause: error,
        });
      }
    },
    serve(workerId, handle) {
      const sub = nc.subscribe(handoverSubject(workerId), {
        callback: (error, msg) => {
          if (error) return;
          const parsed = Request.safeParse(safeJson(msg.string()));
          if (!parsed.success) return void msg.respond(codec.encode({ handed: false }));
          void handle(parsed.data).catch(() => false).then((handed) =>
            msg.respond(codec.encode({ handed }))
          );
        },
      });
      return {
        // The subscription is live on the server once a round trip after it returned.
        ready: nc.flush(),
        async close() {
          sub.unsubscribe();
          await nc.flush().catch(() => {});
        },
      };
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
