import { chunkHeader, RawRtmpClient } from "./raw_rtmp_client.ts";

/** What {@linkcode startIngestAttack} throws at an ingest. */
export interface IngestAttackOptions {
  /** Sockets that connect and send nothing, each re-opened as soon as it is closed. */
  idle: number;
  /**
   * Sockets that handshake, then ask for a 16 MiB chunk (half of them with Set Chunk Size
   * 16 MiB, half with chunk size 64 KiB) and a message header of 16 MiB, then stream its body
   * until closed; each re-opened as soon as it is closed.
   */
  oversized: number;
}

/** A running attack. */
export interface IngestAttack {
  /** Connections opened so far (re-opens included). */
  readonly opened: number;
  /** Body bytes the oversized sockets got written (the most the ingest could have buffered). */
  readonly bodyBytes: number;
  stop(): Promise<void>;
}

const BODY = new Uint8Array(256 * 1024);
const BODY_MAX = 16 * 1024 * 1024;

/** Starts idle and oversized sockets against 127.0.0.1:`port`, re-opening each when closed. */
export function startIngestAttack(port: number, options: IngestAttackOptions): IngestAttack {
  let stopped = false;
  let opened = 0;
  let bodyBytes = 0;
  const open = new Set<RawRtmpClient>();

  async function loop(body: (client: RawRtmpClient) => Promise<void>, handshake: boolean) {
    while (!stopped) {
      let client: RawRtmpClient | null = null;
      try {
        client = await RawRtmpClient.connect(port, { handshake });
        opened++;
        open.add(client);
        await body(client);
      } catch {
        // closed or refused by the ingest: open another
      } finally {
        if (client) {
          open.delete(client);
          client.close();
        }
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  async function oversized(client: RawRtmpClient, chunkSize: number): Promise<void> {
    await client.setChunkSize(chunkSize);
    await client.write(chunkHeader(3, 0xffffff, 9));
    for (let sent = 0; sent < BODY_MAX && !stopped; sent += BODY.length) {
      await client.write(BODY);
      bodyBytes += BODY.length;
    }
    await client.untilClosed();
  }

  const loops = [
    ...Array.from(
      { length: options.idle },
      () => loop((c) => c.untilClosed().then(() => {}), false),
    ),
    ...Array.from(
      { length: options.oversized },
      (_, i) => loop((c) => oversized(c, i % 2 === 0 ? 0xffffff : 65_536), true),
    ),
  ];
  return {
    get opened() {
      return opened;
    },
    get bodyBytes() {
      return bodyBytes;
    },
    async stop() {
      stopped = true;
      for (const client of open) client.close();
      await Promise.allSettled(loops);
    },
  };
}
