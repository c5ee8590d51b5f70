import { AppError } from "@spiritstream/contracts";
import type { IngestListener, IngestListenerOptions } from "../ports.ts";
import { type RtmpServer, startRtmpServer } from "./rtmp_server.ts";

/**
 * The RTMP ingest: our RTMP server (one publisher at a time, optional key check); each publish
 * session becomes the hub's source. A port in use or an address not of this machine is an
 * AppError naming it.
 */
export function openRtmpIngest(options: IngestListenerOptions): Promise<IngestListener> {
  return Promise.try(() => listenRtmp(options));
}

function listenRtmp(options: IngestListenerOptions): IngestListener {
  const { address, spec, hub, logger, report } = options;
  let server: RtmpServer;
  try {
    server = startRtmpServer({
      hostname: address.hostname,
      port: address.port,
      app: address.app,
      streamKey: spec.streamKey || null,
      logger,
      onPublish(session) {
        hub.attachSource(session);
        report(true, `${session.remoteAddr.hostname}:${session.remoteAddr.port}`);
      },
      onUnpublish() {
        report(false, null);
      },
    });
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new AppError(
        "unavailable",
        `Ingest port ${address.port} on ${address.hostname} is already in use`,
      );
    }
    if (error instanceof Deno.errors.AddrNotAvailable) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "incomingUrl": ${address.hostname} is not an address of this machine`,
      );
    }
    throw error;
  }
  logger.info("RTMP ingest listening");
  return { close: () => server.close() };
}
