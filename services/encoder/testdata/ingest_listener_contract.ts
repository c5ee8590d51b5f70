import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { ensureTestClip, freePort, requireBinary, waitFor } from "@spiritstream/testing";
import { createMediaHub, type MediaHub } from "../hub/mod.ts";
import { parseIngest } from "../engine/parse_ingest.ts";
import { markedProcesses } from "../engine/testdata/marked_processes.ts";
import type { IngestListener, IngestSpec, OpenIngestListener } from "../ports.ts";
import { captureLogger } from "./capture_logger.ts";

/** One adapter of the IngestListener port, and how a publisher reaches it. */
export interface IngestListenerSubject {
  /** Names the tests. */
  name: string;
  open: OpenIngestListener;
  /** An ingest on 127.0.0.1:`port`, with its key or passphrase. */
  spec(port: number): IngestSpec;
  /** Starts a publisher (an FFmpeg standing in for OBS) sending `clip` to that ingest. */
  publish(spec: IngestSpec, clip: string): Promise<{ stop(): Promise<unknown> }>;
}

interface Opened {
  listener: IngestListener;
  hub: MediaHub;
  reports: [boolean, string | null][];
  marker: string;
}

async function open(subject: IngestListenerSubject, spec: IngestSpec): Promise<Opened> {
  const { logger } = captureLogger();
  const hub = createMediaHub({ logger });
  const reports: [boolean, string | null][] = [];
  const ffmpeg = requireBinary("ffmpeg");
  const marker = `ingest-contract-${crypto.randomUUID()}`;
  const listener = await subject.open({
    address: parseIngest(spec),
    spec,
    hub,
    logger,
    redactor: createRedactor(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    marker,
    report: (live, remote) => void reports.push([live, remote]),
  });
  return { listener, hub, reports, marker };
}

/** What every ingest listener does, whatever its protocol (the suite each adapter runs). */
export function ingestListenerContract(subject: IngestListenerSubject): void {
  Deno.test(`${subject.name}() puts a publisher's media in the hub, reports it live, then gone`, async () => {
    const clip = await ensureTestClip();
    const spec = subject.spec(freePort());
    const opened = await open(subject, spec);
    let tags = 0;
    opened.hub.addSink({ queuedBytes: 0, write: () => void tags++ });
    let publisher: { stop(): Promise<unknown> } | null = null;
    try {
      publisher = await subject.publish(spec, clip);
      await waitFor(() => opened.reports.some(([live]) => live) && tags > 50, {
        what: "the publisher live, its tags in the hub",
        timeoutMs: 30_000,
      });
      const [, remote] = opened.reports.find(([live]) => live)!;
      assert.match(remote ?? "", /^127\.0\.0\.1:\d+$/, "the publisher's address is reported");
      await publisher.stop();
      publisher = null;
      await waitFor(() => opened.reports.at(-1)?.[0] === false, {
        what: "the publisher reported gone",
        timeoutMs: 30_000,
      });
      assert.deepEqual(opened.reports.at(-1), [false, null]);
    } finally {
      await publisher?.stop();
      await opened.listener.close();
    }
    assert.deepEqual(await markedProcesses(opened.marker), [], "close() leaves no process");
  });

  Deno.test(`${subject.name}() refuses a taken port as unavailable, and frees its own on close()`, async () => {
    const port = freePort();
    const spec = subject.spec(port);
    const first = await open(subject, spec);
    try {
      await assert.rejects(open(subject, spec), (error: unknown) => {
        assert.ok(error instanceof AppError, String(error));
        assert.equal(error.code, "unavailable");
        assert.match(error.message, new RegExp(`${port}.* is already in use`));
        return true;
      });
    } finally {
      await first.listener.close();
    }
    const again = await open(subject, spec);
    await again.listener.close();
  });
}
