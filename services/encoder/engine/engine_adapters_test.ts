import assert from "node:assert/strict";
import { LOCAL_TENANT, type TargetStatus } from "@spiritstream/contracts";
import { probe, waitFor } from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import type { EngineAdapters } from "../ports.ts";
import { copyGroup, nginxTarget, startRig } from "./testdata/rig.ts";

/** The real adapters, each call written down by protocol; SRT ones must never be asked. */
function recordedAdapters(calls: string[]): EngineAdapters {
  const real = mediaAdapters();
  const never = (what: string) => () => {
    throw new Error(`the SRT ${what} adapter was asked for an rtmp:// URL`);
  };
  return {
    ingest: {
      rtmp: (options) => {
        calls.push(`ingest rtmp ${options.address.url}`);
        return real.ingest.rtmp(options);
      },
      srt: never("ingest"),
    },
    targets: {
      rtmp: (options) => {
        calls.push(`target rtmp ${options.url}`);
        return real.targets.rtmp(options);
      },
      srt: never("target"),
    },
    transcoder: real.transcoder,
  };
}

Deno.test("createEngine() opens the ingest and links targets through the adapters it is handed, by protocol", async () => {
  const calls: string[] = [];
  const rig = await startRig({ apps: 1, engine: { adapters: recordedAdapters(calls) } });
  const key = "adapter-key-12345678";
  try {
    const ingestCall = `ingest rtmp ${rig.ingest.url}`;
    assert.deepEqual(calls, [ingestCall]);
    await rig.engine.startGroup(
      LOCAL_TENANT,
      copyGroup("relay", [nginxTarget(rig, "a", 0, key)]),
      rig.ingest,
    );
    await rig.publish();
    await waitFor(
      () => rig.seen<TargetStatus>("target_status").some((s) => s.state === "live"),
      { timeoutMs: 20_000, what: "the target going live" },
    );
    const relayed = await probe(rig.nginx.url(0, key), { timeoutMs: 20_000 });
    assert.ok(relayed, "media reached the destination through the handed-in connector");
    // One connect, or more if the loaded box made the first one time out: all through ours.
    assert.deepEqual(new Set(calls), new Set([ingestCall, `target rtmp ${rig.nginx.url(0, key)}`]));
  } finally {
    await rig.stop();
  }
});
