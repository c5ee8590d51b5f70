import assert from "node:assert/strict";
import { StandbySettings } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { requireBinary, waitFor } from "@spiritstream/testing";
import { createMediaHub } from "../hub/mod.ts";
import { markedProcesses } from "../engine/testdata/marked_processes.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { type StandbyChange, StandbyController } from "./standby_controller.ts";

function controller(options: { hasGroups?: boolean; graceSecs?: number } = {}) {
  const ffmpeg = requireBinary("ffmpeg");
  const hub = createMediaHub();
  const changes: StandbyChange[] = [];
  const marker = `standby-${crypto.randomUUID()}`;
  const settings = StandbySettings.parse({ mode: "card", graceSecs: options.graceSecs ?? 0.5 });
  const standby = new StandbyController(settings, {
    hub,
    logger: captureLogger().logger,
    redactor: createRedactor(),
    marker,
    ffmpegPath: () => Promise.resolve(ffmpeg),
    roots: [],
    media: () => null,
    pauseAnalysis: () => {},
    hasGroups: () => options.hasGroups ?? true,
    onChange: (change) => changes.push(change),
    onExpired: () => {},
  });
  return { hub, changes, marker, standby };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("StandbyController puts the slate on the hub after the grace time and takes it off on return", async () => {
  const { hub, changes, marker, standby } = controller();
  try {
    standby.publisherLost();
    await waitFor(() => hub.live, { what: "the slate as the hub's source" });
    assert.deepEqual(changes.map((c) => [c.standby, c.reason]), [[true, "publisher_lost"]]);
    assert.equal(typeof standby.since, "number");
    await standby.publisherReturned();
    assert.deepEqual(changes.map((c) => [c.standby, c.reason]).at(-1), [
      false,
      "publisher_returned",
    ]);
    assert.deepEqual(await markedProcesses(marker), [], "the slate FFmpeg is gone");
  } finally {
    await standby.close();
  }
});

Deno.test("StandbyController starts no slate when the publisher returns within the grace time", async () => {
  const { hub, changes, marker, standby } = controller({ graceSecs: 0.5 });
  try {
    standby.publisherLost();
    await sleep(200);
    await standby.publisherReturned();
    await sleep(1500);
    assert.equal(hub.live, false);
    assert.deepEqual(changes, []);
    assert.deepEqual(await markedProcesses(marker), []);
  } finally {
    await standby.close();
  }
});

Deno.test("StandbyController starts no slate while no group runs", async () => {
  const { hub, changes, marker, standby } = controller({ hasGroups: false });
  try {
    standby.publisherLost();
    await sleep(1200);
    assert.equal(hub.live, false);
    assert.deepEqual(changes, []);
    assert.deepEqual(await markedProcesses(marker), []);
  } finally {
    await standby.close();
  }
});
