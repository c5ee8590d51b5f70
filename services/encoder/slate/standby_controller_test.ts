import assert from "node:assert/strict";
import { StandbySettings } from "@spiritstream/contracts";
import { createRedactor } from "@spiritstream/kit";
import { requireBinary, waitFor } from "@spiritstream/testing";
import { createMediaHub } from "../hub/mod.ts";
import { markedProcesses } from "../engine/testdata/marked_processes.ts";
import { captureLogger } from "../testdata/capture_logger.ts";
import { type StandbyChange, StandbyController } from "./standby_controller.ts";

function controller(
  options: { hasGroups?: boolean; graceSecs?: number; ffmpegPath?: string } = {},
) {
  const ffmpeg = options.ffmpegPath ?? requireBinary("ffmpeg");
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

Deno.test("StandbyController.close() and a returning publisher kill a slate still rendering", async () => {
  // A stand-in "FFmpeg" that never finishes rendering: only killing it ends it.
  const dir = await Deno.makeTempDir();
  const stuck = `${dir}/ffmpeg`;
  await Deno.writeTextFile(stuck, "#!/bin/sh\nexec sleep 60\n");
  await Deno.chmod(stuck, 0o755);
  try {
    for (const end of ["close", "return"] as const) {
      const { marker, standby } = controller({ graceSecs: 30, ffmpegPath: stuck });
      standby.publisherLost();
      await waitFor(async () => (await markedProcesses(marker)).length > 0, {
        what: "the render FFmpeg",
        intervalMs: 10,
      });
      if (end === "return") standby.publisherReturned();
      const closed = await Promise.race([
        standby.close().then(() => "closed"),
        sleep(5000).then(() => "still waiting"),
      ]);
      assert.equal(closed, "closed", `${end}: the render was killed, not waited for`);
      assert.deepEqual(await markedProcesses(marker), [], `${end}: no FFmpeg left`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
