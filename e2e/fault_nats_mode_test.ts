import assert from "node:assert/strict";
import type { StreamState } from "@spiritstream/contracts";
import {
  ensureTestClip,
  freePort,
  startNginxRtmp,
  startReconnectingPublisher,
  waitFor,
} from "@spiritstream/testing";
import {
  destinationStream,
  waitForBytesFlowing,
  waitForMedia,
  watchFlow,
} from "../bench/lib/destination_media.ts";
import { startNatsStack } from "../bench/lib/nats_stack.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { copyGroup, nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import { withCleanup } from "./with_cleanup.ts";

/** Longer than the encoder's 6 s lease: an outage that outlives a lease must not stop media. */
const OUTAGE_MS = 12_000;
/** A pause longer than this means media stopped (polls are 250 ms apart; the box is shared). */
const MAX_STALL_MS = 5000;

Deno.test("self-host layout: media keeps flowing through NATS, PostgreSQL and service crashes", async (t) => {
  const clip = await ensureTestClip({ seconds: 4 });
  await withCleanup(async (defer) => {
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const stack = await startNatsStack({ postgres: true, logLevel: "info" });
    defer(() => stack.stop());
    const key = secretKey("fault-key");
    const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
    const publisher = startReconnectingPublisher(`${incomingUrl}/obs`, clip);
    defer(() => publisher.stop());
    const group = copyGroup("g", [nginxTarget(nginx, "t", 0, key)]);

    /** Polls a command until it answers `status`; returns that reply. */
    const answers = (command: string, status: number, timeoutMs = 30_000) =>
      waitFor(async () => {
        const reply = await stack.invoke(command, {}, { timeoutMs: 20_000 });
        return reply.status === status ? reply : null;
      }, { timeoutMs, intervalMs: 200, what: `${command} to answer ${status}` });
    const groupLive = (timeoutMs = 30_000) =>
      waitFor(async () => {
        const reply = await stack.invoke("get_stream_state");
        const state = reply.body.data as StreamState | null;
        return reply.status === 200 && state?.ingest.state === "live" &&
          state.groups.some((g) => g.groupId === "g" && g.targets.every((x) => x.state === "live"));
      }, { timeoutMs, intervalMs: 200, what: "the group to be live again" });

    const settings = await stack.call<Record<string, unknown>>("get_settings");
    await stack.call("save_settings", { settings: { ...settings, logRetentionDays: 7 } });
    await stack.call("open_ingest", { incomingUrl });
    await waitFor(async () => {
      const state = await stack.call<StreamState>("get_stream_state");
      return state.ingest.state === "live";
    }, { timeoutMs: 20_000, what: "the publisher at our ingest" });
    await stack.call("start_all_streams", { groups: [group], incomingUrl });
    await waitForMedia(nginx, 0, key, { timeoutMs: 20_000 });

    await t.step(
      "kill -9 nats-server: media flows on, commands answer 503, then recover",
      async () => {
        const flow = watchFlow(nginx, 0, key);
        await stack.nats.kill();
        const down = await answers("get_settings", 503);
        assert.equal(down.body.ok, false);
        assert.match(down.body.error ?? "", /unavailable|not reachable|try again/i);
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
        const during = await flow.stop();
        assert.ok(
          during.longestStallMs < MAX_STALL_MS,
          `media stalled ${Math.round(during.longestStallMs)} ms while NATS was down`,
        );
        await stack.nats.restart();
        const back = await answers("get_settings", 200);
        assert.equal((back.body.data as { logRetentionDays: number }).logRetentionDays, 7);
        await groupLive();
        await waitForBytesFlowing(nginx, 0, key);
      },
    );

    await t.step(
      "kill -9 PostgreSQL: media flows on, commands answer 503, then recover",
      async () => {
        const flow = watchFlow(nginx, 0, key);
        await stack.postgres!.kill();
        const down = await answers("get_settings", 503);
        assert.equal(down.body.ok, false);
        assert.ok(down.body.error, "a message, not an empty error");
        const during = await flow.stop();
        assert.ok(
          during.longestStallMs < MAX_STALL_MS,
          `media stalled ${during.longestStallMs} ms`,
        );
        await stack.postgres!.restart();
        const back = await answers("get_settings", 200);
        assert.equal((back.body.data as { logRetentionDays: number }).logRetentionDays, 7);
        await waitForBytesFlowing(nginx, 0, key);
      },
    );

    await t.step(
      "kill -9 the profiles service: 503, media flows on, restart recovers",
      async () => {
        const flow = watchFlow(nginx, 0, key);
        await stack.kill("profiles");
        const down = await answers("get_settings", 503);
        assert.equal(down.body.ok, false);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const during = await flow.stop();
        assert.ok(
          during.longestStallMs < MAX_STALL_MS,
          `media stalled ${during.longestStallMs} ms`,
        );
        await stack.restart("profiles");
        const back = await answers("get_settings", 200);
        assert.equal((back.body.data as { logRetentionDays: number }).logRetentionDays, 7);
      },
    );

    await t.step("kill -9 the encoder service: a restarted one resumes the stream", async () => {
      const before = (await destinationStream(nginx, 0, key))?.bytesIn ?? 0;
      const startsBefore = publisher.starts;
      await stack.kill("encoder");
      // Media runs in the encoder: the destination loses its publisher.
      await waitFor(async () => !(await destinationStream(nginx, 0, key))?.publishing, {
        timeoutMs: 15_000,
        what: "the destination to notice the encoder is gone",
      });
      const down = await answers("get_stream_state", 503);
      assert.equal(down.body.ok, false);
      await stack.restart("encoder");
      await groupLive(45_000);
      await waitForMedia(nginx, 0, key, { timeoutMs: 30_000 });
      await waitForBytesFlowing(nginx, 0, key);
      assert.ok(publisher.starts > startsBefore, "the publisher reconnected to the new ingest");
      assert.ok(before > 0);
    });

    await t.step("the target's key is in no log line of any process", () => {
      assert.deepEqual(findLeakedSecrets(stack.allLines(), [key]), []);
    });
  });
});
