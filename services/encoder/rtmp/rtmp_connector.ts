import type { Logger } from "@spiritstream/kit";
import type { MediaHub } from "../hub/mod.ts";
import { connectPublisher } from "./rtmp_publisher.ts";
import type { TargetConnector, TargetLink } from "../engine/target_supervisor.ts";

/** Options for {@linkcode rtmpConnector}. */
export interface RtmpConnectorOptions {
  logger: Logger;
  /** Connect + handshake + publish budget. @default 10000 */
  timeoutMs?: number;
  /** A destination that accepts no byte for this long is dropped and reconnected. @default 15000 */
  stallTimeoutMs?: number;
  /** How far behind live a destination may fall before it loses video to a keyframe. @default 2000 */
  maxLagMs?: number;
  /** Extra PEM authorities for `rtmps://` (a private CA). */
  caCerts?: string[];
}

/**
 * Links to an RTMP(S) destination: our own push client, added to `hub` as a sink once the
 * destination accepted the publish (it then gets headers and the cached GOP at once).
 */
export function rtmpConnector(
  url: string,
  hub: MediaHub,
  options: RtmpConnectorOptions,
): TargetConnector {
  return async (signal) => {
    const publisher = await connectPublisher(url, {
      logger: options.logger,
      timeoutMs: options.timeoutMs ?? 10_000,
      stallTimeoutMs: options.stallTimeoutMs ?? 15_000,
      maxLagMs: options.maxLagMs,
      caCerts: options.caCerts,
    });
    if (signal.aborted) {
      await publisher.close();
      throw new Error("Aborted");
    }
    hub.addSink(publisher);
    let hubDropped = 0;
    const link: TargetLink = {
      closed: publisher.closed.then((ended) => {
        hub.removeSink(publisher);
        return { error: ended.error?.message ?? "Connection closed" };
      }),
      async close() {
        hub.removeSink(publisher);
        await publisher.close();
      },
      bytesSent: () => publisher.bytesSent,
      onSlow: (listener) => publisher.onSlow(listener),
      droppedTags() {
        hubDropped = hub.sinkStats(publisher)?.droppedTags ?? hubDropped;
        return publisher.droppedTags + hubDropped;
      },
    };
    return link;
  };
}
