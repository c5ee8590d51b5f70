import assert from "node:assert/strict";
import { StandbySettings } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import {
  copyGroup,
  ensureTestClip,
  freePort,
  requireBinary,
  startNginxRtmp,
  startPublisher,
  waitFor,
} from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import { createEngine } from "../engine/mod.ts";
import { createMemoryLeaseStore } from "../leases/memory_lease_store.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { forgetEndedStream } from "./forget_ended_stream.ts";
import { createStreamCoordinator, type StreamCoordinator } from "./stream_coordinator.ts";

const TENANT = "tenant-1";
const TIMING = { leaseTtlMs: 600, renewEveryMs: 150, tickMs: 50, retryFailedMs: 200 };

Deno.test("forgetEndedStream(): after max standby the groups leave the desired state, so nothing restarts them", async () => {
  const { logger } = captureLogger();
  const ffmpeg = requireBinary("ffmpeg");
  const nginx = await startNginxRtmp({ apps: 1 });
  let coordinator: StreamCoordinator | null = null;
  const engine = createEngine({
    adapters: mediaAdapters(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    logger,
    redactor: createRedactor(),
    emit: () => {},
    resolveEnv: () => undefined,
    onStandbyExpired: (tenantId) => void forgetEndedStream(coordinator!, { tenantId, logger }),
  });
  coordinator = createStreamCoordinator({
    store: createMemoryLeaseStore(),
    engine,
    workerId: "a",
    logger,
    ...TIMING,
  });
  await coordinator.start();
  const url = `rtmp://127.0.0.1:${freePort()}/live`;
  let publisher: Awaited<ReturnType<typeof startPublisher>> | null = null;
  try {
    const standby = StandbySettings.parse({ mode: "card", graceSecs: 0.5, maxStandbySecs: 10 });
    const destination = nginx.url(0, "max-key-1234");
    const target = {
      id: "t",
      service: "Custom",
      name: "t",
      url: destination.slice(0, destination.lastIndexOf("/")),
      streamKey: "max-key-1234",
    };
    await coordinator.changeDesired(TENANT, () => ({
      tenantId: TENANT,
      generation: 2,
      ingest: { spec: { url, standby }, generation: 1 },
      groups: { relay: { group: copyGroup("relay", [target]), generation: 2 } },
      retries: {},
    }));
    // The publisher starts once the ingest listens: FFmpeg started earlier may find the port
    // closed and exit, and a publisher that never went live never leaves (no standby, no expiry).
    await waitFor(() => engine.state(TENANT).ingest.state === "waiting", {
      what: "the ingest listening",
      timeoutMs: 15_000,
    });
    publisher = await startPublisher(`${url}/obs`, { clip: await ensureTestClip() });
    await waitFor(() => engine.state(TENANT).ingest.state === "live", {
      what: "the publisher live",
      timeoutMs: 15_000,
    });
    await waitFor(
      () => engine.state(TENANT).groups[0]?.targets[0]?.state === "live",
      { what: "the target live", timeoutMs: 15_000 },
    );
    publisher.kill();
    await waitFor(async () => {
      const desired = await coordinator!.readDesired(TENANT);
      return desired !== null && Object.keys(desired.groups).length === 0;
    }, { what: "the groups forgotten", timeoutMs: 20_000 });
    assert.deepEqual(engine.activeGroupIds(TENANT), []);
    assert.notEqual((await coordinator.readDesired(TENANT))?.ingest, null, "the ingest stays");
  } finally {
    await publisher?.stop();
    await coordinator.close();
    await engine.close();
    await nginx.stop();
  }
});
