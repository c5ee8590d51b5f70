import assert from "node:assert/strict";
import { createRedactor } from "@spiritstream/kit";
import { freePort, requireBinary, waitFor } from "@spiritstream/testing";
import { createMediaHub, type MediaHub } from "../hub/mod.ts";
import { markedProcesses } from "../engine/testdata/marked_processes.ts";
import type { CreateTargetConnector, TargetConnector } from "../ports.ts";
import { captureLogger } from "./capture_logger.ts";
import { startMediaSource } from "./media_source.ts";

/** A destination standing in for a platform. */
export interface TestDestination {
  /** The publish URL, key included. */
  url: string;
  /** Bytes that arrived so far. */
  received(): Promise<number>;
  /** Stops it: the link ends from the far side. */
  stop(): Promise<void>;
}

/** One adapter of the TargetConnector port, and destinations it can reach. */
export interface TargetConnectorSubject {
  /** Names the tests. */
  name: string;
  create: CreateTargetConnector;
  startDestination(): Promise<TestDestination>;
  /** A publish URL on 127.0.0.1:`port` where nothing listens. */
  unreachable(port: number): string;
}

function connector(subject: TargetConnectorSubject, url: string, hub: MediaHub) {
  const marker = `target-contract-${crypto.randomUUID()}`;
  const ffmpeg = requireBinary("ffmpeg");
  const connect: TargetConnector = subject.create({
    url,
    hub,
    logger: captureLogger().logger,
    redactor: createRedactor(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    marker,
    connectTimeoutMs: 10_000,
  });
  return { connect, marker };
}

/** What every target connector does, whatever its protocol (the suite each adapter runs). */
export function targetConnectorContract(subject: TargetConnectorSubject): void {
  Deno.test(`${subject.name}() links a destination as a hub sink and close() unlinks it`, async () => {
    const source = await startMediaSource();
    const destination = await subject.startDestination();
    const { connect, marker } = connector(subject, destination.url, source.hub);
    try {
      const link = await connect(AbortSignal.timeout(30_000));
      await waitFor(
        async () => link.bytesSent() > 200_000 && await destination.received() > 100_000,
        {
          what: "the hub's media at the destination",
          timeoutMs: 30_000,
        },
      );
      assert.equal(source.hub.stats().sinks.length, 1, "linked as one sink of the hub");
      await link.close();
      assert.equal(source.hub.stats().sinks.length, 0, "close() removed the sink");
    } finally {
      await destination.stop();
      await source.stop();
    }
    assert.deepEqual(await markedProcesses(marker), [], "close() leaves no process");
  });

  Deno.test(`${subject.name}() resolves closed with a reason when the destination goes away`, async () => {
    const source = await startMediaSource();
    const destination = await subject.startDestination();
    const { connect, marker } = connector(subject, destination.url, source.hub);
    try {
      const link = await connect(AbortSignal.timeout(30_000));
      await waitFor(async () => await destination.received() > 50_000, {
        what: "media at the destination",
        timeoutMs: 30_000,
      });
      let ended: { error: string } | null = null;
      void link.closed.then((reason) => ended = reason);
      await destination.stop();
      const reason = await waitFor(() => ended, { what: "the link ended", timeoutMs: 30_000 });
      assert.ok(reason.error.length > 0, "a reason is given");
      assert.equal(source.hub.stats().sinks.length, 0, "the ended link left the hub");
      await link.close();
    } finally {
      await destination.stop();
      await source.stop();
    }
    assert.deepEqual(await markedProcesses(marker), [], "an ended link leaves no process");
  });

  Deno.test(`${subject.name}() rejects when nothing listens at the destination`, async () => {
    const hub = createMediaHub();
    const { connect, marker } = connector(subject, subject.unreachable(freePort()), hub);
    await assert.rejects(connect(AbortSignal.timeout(30_000)));
    assert.equal(hub.stats().sinks.length, 0, "nothing was linked");
    assert.deepEqual(await markedProcesses(marker), [], "a failed connect leaves no process");
  });
}
