import assert from "node:assert/strict";
import { INTERNAL, MASKED_SECRET, type TargetStatus } from "@spiritstream/contracts";
import { freePort, startNginxRtmp, waitFor } from "@spiritstream/testing";
import { copyGroup, rtmpTarget, startEncoderHarness } from "../testdata/encoder_harness.ts";

const ENV = {
  SPIRITSTREAM_ADMIN_PASSWORD: "admin-password-never-sent-01",
  HOME: "home-value-never-sent-02",
  SPIRITSTREAM_KEY_DEST: "dest-key-from-env-03",
  LISTED_KEY: "listed-key-from-env-04",
};

Deno.test("start_all_streams expands only SPIRITSTREAM_KEY_* and listed variables; others fail their target", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const dataDir = await Deno.makeTempDir({ prefix: "encoder_key_env_" });
  const h = await startEncoderHarness({
    config: { ffmpegPath: null, dataDir, keyEnvAllow: ["LISTED_KEY"] },
    env: { PATH: Deno.env.get("PATH"), ...ENV },
  });
  // What the profiles service answers for a target an older version stored with this key.
  const resolver = h.bus.serve(
    INTERNAL.resolveStreamKeys.subject,
    () => Promise.resolve({ keys: { old: "${SPIRITSTREAM_ADMIN_PASSWORD}" } }),
  );
  await resolver.ready;
  try {
    const port = nginx.ports[0]!;
    const group = copyGroup("A", [
      rtmpTarget("old", port, MASKED_SECRET),
      rtmpTarget("sent", port, "${HOME}"),
      rtmpTarget("allowed", port, "${SPIRITSTREAM_KEY_DEST}"),
      rtmpTarget("listed", port, "${LISTED_KEY}"),
    ]);
    const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
    await h.call("start_all_streams", { groups: [group], incomingUrl });
    const names = async () => (await nginx.stat())[0]!.streams.map((s) => s.name);
    await waitFor(async () => {
      const seen = await names();
      return seen.includes(ENV.SPIRITSTREAM_KEY_DEST) && seen.includes(ENV.LISTED_KEY);
    }, { what: "the allowed targets at the destination", timeoutMs: 20_000 });
    const last = (id: string) =>
      h.events.filter((e) => e.event === "target_status").map((e) => e.payload as TargetStatus)
        .filter((s) => s.targetId === id).at(-1);
    await waitFor(() => last("old")?.state === "failed" && last("sent")?.state === "failed", {
      what: "the forbidden targets to fail",
    });
    assert.match(last("old")!.error ?? "", /\$\{SPIRITSTREAM_ADMIN_PASSWORD\} is not allowed/);
    assert.match(last("sent")!.error ?? "", /\$\{HOME\} is not allowed/);
    assert.equal(last("sent")!.nextRetryMs, null, "refused for good, not retried");
    for (const value of [ENV.SPIRITSTREAM_ADMIN_PASSWORD, ENV.HOME]) {
      assert.ok(!(await names()).includes(value), "a forbidden variable reached the destination");
      const texts = [...h.lines, ...h.events.map((e) => JSON.stringify(e))];
      assert.equal(texts.find((text) => text.includes(value)), undefined);
    }
    await h.call("stop_all_streams", {});
  } finally {
    await resolver.close();
    await h.close();
    await nginx.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
