import { createRedactor } from "@spiritstream/kit";
import {
  ensureTestClip,
  freePort,
  startPublisher,
  type TestClipOptions,
  type TestPublisher,
  waitFor,
} from "@spiritstream/testing";
import { createMediaHub, type MediaHub } from "../hub/mod.ts";
import { parseIngest } from "../engine/parse_ingest.ts";
import type { IngestListener } from "../ports.ts";
import { openRtmpIngest } from "../rtmp/open_rtmp_ingest.ts";
import { captureLogger } from "./capture_logger.ts";

/** An ingest hub with real media in it (see {@linkcode startMediaSource}). */
export interface MediaSourceRig {
  hub: MediaHub;
  stop(): Promise<void>;
}

/** Our RTMP ingest on a free port with an FFmpeg publishing the test clip; resolves once live. */
export async function startMediaSource(clip: TestClipOptions = {}): Promise<MediaSourceRig> {
  const { logger } = captureLogger();
  const hub = createMediaHub({ logger });
  const spec = { url: `rtmp://127.0.0.1:${freePort()}/live` };
  const listener: IngestListener = await openRtmpIngest({
    address: parseIngest(spec),
    spec,
    hub,
    logger,
    redactor: createRedactor(),
    ffmpegPath: () => Promise.reject(new Error("an RTMP ingest needs no FFmpeg")),
    marker: "media-source",
    report: () => {},
  });
  let publisher: TestPublisher | null = null;
  try {
    publisher = await startPublisher(`${spec.url}/source`, { clip: await ensureTestClip(clip) });
    await waitFor(() => hub.live, { what: "media in the source hub", timeoutMs: 30_000 });
  } catch (error) {
    await publisher?.stop();
    await listener.close();
    throw error;
  }
  return {
    hub,
    async stop() {
      await publisher?.stop();
      await listener.close();
    },
  };
}
