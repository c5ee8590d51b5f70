import assert from "node:assert/strict";
import type { StreamState } from "@spiritstream/contracts";
import { ensureTestClip, startNginxRtmp, waitFor } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import {
  destinationStream,
  waitForBytesFlowing,
  waitForMedia,
} from "../bench/lib/destination_media.ts";
import { goLive } from "../bench/lib/go_live.ts";
import { processesWithEnv, processTree } from "../bench/lib/proc_stats.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { nginxTarget, secretKey, x264Group } from "../bench/lib/stream_setup.ts";
import { withCleanup } from "./with_cleanup.ts";

const SMALL = { width: 320, height: 180, fps: 15, bitrate: "300k", preset: "ultrafast" };

async function groupEncoders(hostPid: number): Promise<number[]> {
  return (await processTree(hostPid)).filter((p) => p.comm === "ffmpeg").map((p) => p.pid);
}

Deno.test("desktop host: kill -9 of a group's FFmpeg restarts it and the destination receives again; kill -9 of the host leaves no FFmpeg", (t) =>
  withCleanup(async (defer) => {
    const clip = await ensureTestClip({ seconds: 4 });
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const host = await startDesktopHost();
    const marker = `spiritstream-${host.process.pid}`;
    defer(async () => {
      for (const p of await processesWithEnv("SPIRITSTREAM_ENGINE", marker)) {
        Deno.kill(p.pid, "SIGKILL");
      }
    });
    defer(() => host.stop());
    const ws = await host.ws();
    defer(() => ws.close());
    const key = secretKey("encode-key");
    const live = await goLive(host, {
      clip,
      groups: [x264Group("small", [nginxTarget(nginx, "t", 0, key)], SMALL)],
    });
    defer(() => live.publisher.stop());
    await waitForMedia(nginx, 0, key, { timeoutMs: 30_000 });

    await t.step("kill -9 of the group's FFmpeg", async () => {
      const [victim] = await groupEncoders(host.process.pid);
      assert.ok(victim, "the re-encode group runs one FFmpeg under the host");
      const bytesBefore = (await destinationStream(nginx, 0, key))!.bytesIn;
      const since = performance.now();
      Deno.kill(victim, "SIGKILL");
      const replacement = await waitFor(async () => {
        const pids = await groupEncoders(host.process.pid);
        return pids.length === 1 && pids[0] !== victim ? pids[0] : null;
      }, { timeoutMs: 15_000, what: "a new FFmpeg for the group" });
      assert.notEqual(replacement, victim);
      await ws.next("stream_reconnecting", (p: { groupId: string }) => p.groupId === "small", {
        since,
        timeoutMs: 10_000,
      });
      // The target kept its connection: the same nginx stream grows again with new media.
      await waitForBytesFlowing(nginx, 0, key, { timeoutMs: 20_000 });
      const stream = await destinationStream(nginx, 0, key);
      assert.ok(stream && stream.bytesIn > bytesBefore, "the destination receives again");
      await waitFor(async () => {
        const state = await host.call<StreamState>("get_stream_state");
        return state.groups[0]?.state === "live" && state.groups[0].targets[0]?.state === "live";
      }, { timeoutMs: 15_000, what: "the group to report live again" });
    });

    await t.step("kill -9 of the host: its FFmpeg exits with it", async () => {
      assert.equal((await processesWithEnv("SPIRITSTREAM_ENGINE", marker)).length, 1);
      host.process.kill("SIGKILL");
      await host.process.exited;
      await waitFor(
        async () => (await processesWithEnv("SPIRITSTREAM_ENGINE", marker)).length === 0,
        { timeoutMs: 10_000, what: "no FFmpeg left behind by the killed host" },
      );
    });

    await t.step("the target's key is in no log line or event", () => {
      const texts = [...host.process.lines, ...host.process.errLines, ...ws.raw];
      assert.deepEqual(findLeakedSecrets(texts, [key]), []);
    });
  }));
