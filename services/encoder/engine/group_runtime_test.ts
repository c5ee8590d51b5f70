import assert from "node:assert/strict";
import type { EventName } from "@spiritstream/contracts";
import { createLogger, createRedactor } from "@spiritstream/kit";
import { copyGroup } from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import { createMediaHub } from "../hub/mod.ts";
import { GroupRuntime } from "./group_runtime.ts";

Deno.test("GroupRuntime.tick() emits stats while the group runs and nothing once stop() began", async () => {
  const logger = createLogger({ level: "error", destination: { write() {} } });
  const events: EventName[] = [];
  const group = await GroupRuntime.start({
    group: copyGroup("g", []),
    ingestHub: createMediaHub({ logger }),
    ffmpegPath: () => Promise.reject(new Error("a passthrough group needs no FFmpeg")),
    logger,
    redactor: createRedactor(),
    marker: "group-runtime-test",
    adapters: mediaAdapters(),
    resolveEnv: () => undefined,
    emit: (event) => events.push(event),
    isDisabled: () => false,
  });
  group.tick();
  assert.deepEqual(events, ["stream_stats"]);
  const stopping = group.stop();
  group.tick();
  await stopping;
  group.tick();
  assert.deepEqual(events, ["stream_stats"], "no stats after the stop began");
});
