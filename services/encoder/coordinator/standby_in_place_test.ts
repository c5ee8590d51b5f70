import assert from "node:assert/strict";
import { StandbySettings } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { copyGroup, freePort, requireBinary, waitFor } from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import { createEngine } from "../engine/mod.ts";
import { createMemoryLeaseStore } from "../leases/memory_lease_store.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import type { DesiredState } from "./desired_state.ts";
import { createStreamCoordinator } from "./stream_coordinator.ts";

const TENANT = "tenant-1";
const TIMING = { leaseTtlMs: 600, renewEveryMs: 150, tickMs: 50, retryFailedMs: 200 };

Deno.test("createStreamCoordinator() applies another standby slate in place: the running group is not restarted", async () => {
  const { logger } = captureLogger();
  const ffmpeg = requireBinary("ffmpeg");
  const ended: unknown[] = [];
  const engine = createEngine({
    adapters: mediaAdapters(),
    ffmpegPath: () => Promise.resolve(ffmpeg),
    logger,
    redactor: createRedactor(),
    emit: (_tenant, event, payload) => event === "stream_ended" && ended.push(payload),
    resolveEnv: () => undefined,
  });
  const coordinator = createStreamCoordinator({
    store: createMemoryLeaseStore(),
    engine,
    workerId: "a",
    logger,
    ...TIMING,
  });
  await coordinator.start();
  try {
    const url = `rtmp://127.0.0.1:${freePort()}/live`;
    const target = { id: "t", service: "Custom", name: "t", url, streamKey: "k-123456" };
    const desired = (standby: StandbySettings | null, generation: number): DesiredState => ({
      tenantId: TENANT,
      generation,
      ingest: { spec: { url, standby }, generation },
      groups: { relay: { group: copyGroup("relay", [target]), generation: 1 } },
      retries: {},
    });
    const applied = (generation: number) =>
      coordinator.awaitStatus(TENANT, ({ status }) => {
        const ingest = status?.ingest;
        if (ingest?.generation !== generation) return undefined;
        assert.equal(ingest.error, null);
        return status!.activeGroupIds.includes("relay") ? true : undefined;
      }, { what: `generation ${generation} applied`, timeoutMs: 5000 });
    await coordinator.changeDesired(TENANT, () => desired(null, 1));
    await applied(1);

    const standby = StandbySettings.parse({ mode: "card", message: "Back soon" });
    await coordinator.changeDesired(TENANT, () => desired(standby, 2));
    await applied(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(ended, [], "the group never stopped");
    assert.deepEqual(engine.activeGroupIds(TENANT), ["relay"]);

    // A bad slate path is refused naming the field, and the group still runs.
    const bad = StandbySettings.parse({ mode: "image", imagePath: "/etc/passwd" });
    await coordinator.changeDesired(TENANT, () => desired(bad, 3));
    const error = await waitFor(async () => {
      const status = await coordinator.status(TENANT);
      return status?.ingest?.generation === 3 ? status.ingest.error : null;
    }, { what: "the refusal" });
    assert.match(error.message, /"input\.standby\.imagePath": must be inside/);
    assert.deepEqual(ended, []);
  } finally {
    await coordinator.close();
    await engine.close();
  }
});
