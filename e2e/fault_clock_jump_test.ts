import assert from "node:assert/strict";
import type { StreamStats, TargetStats, TargetStatus } from "@spiritstream/contracts";
import { ensureTestClip, startNginxRtmp, waitFor } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { waitForMedia, watchFlow } from "../bench/lib/destination_media.ts";
import { goLive } from "../bench/lib/go_live.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { copyGroup, nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import { withCleanup } from "./with_cleanup.ts";

const LIBFAKETIME = [
  "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
  "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
  "/usr/lib/faketime/libfaketimeMT.so.1",
];

/** libfaketime's preload library, or an error naming the Debian package (never a skip). */
function findLibfaketime(): string {
  for (const path of LIBFAKETIME) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // not here
    }
  }
  throw new Error('Missing test component libfaketime: install the Debian package "faketime"');
}

Deno.test("desktop host: wall-clock jumps (libfaketime) break neither sessions, media, stats nor back-off", async (t) => {
  const lib = findLibfaketime();
  const clip = await ensureTestClip({ seconds: 4 });
  await withCleanup(async (defer) => {
    const clockDir = await Deno.makeTempDir({ prefix: "spiritstream-clock-" });
    defer(() => Deno.remove(clockDir, { recursive: true }));
    const offsetFile = `${clockDir}/offset`;
    await Deno.writeTextFile(offsetFile, "+0");
    const nginx = await startNginxRtmp({ apps: 2 });
    defer(() => nginx.stop());
    const token = secretKey("clock-token");
    // Only the host's wall clock moves: CLOCK_MONOTONIC (performance.now, timers) stays true.
    const host = await startDesktopHost({
      token,
      env: {
        LD_PRELOAD: lib,
        FAKETIME_TIMESTAMP_FILE: offsetFile,
        FAKETIME_NO_CACHE: "1",
        FAKETIME_DONT_FAKE_MONOTONIC: "1",
      },
    });
    defer(() => host.stop());
    const ws = await host.ws();
    defer(() => ws.close());
    const keys = [secretKey("clock-a"), secretKey("clock-b")];
    const login = await fetch(`${host.base}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    });
    await login.body?.cancel();
    const cookie = login.headers.get("set-cookie")?.split(";")[0];
    assert.ok(cookie?.startsWith("spiritstream_session="), `a session cookie: ${cookie}`);
    const withSession = async () => {
      const response = await fetch(`${host.base}/api/invoke/get_settings`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie: cookie! },
        body: "{}",
      });
      await response.body?.cancel();
      return response.status;
    };
    assert.equal(await withSession(), 200);

    const live = await goLive(host, {
      clip,
      groups: [copyGroup("g", keys.map((k, i) => nginxTarget(nginx, `t${i}`, i, k)))],
    });
    try {
      for (let i = 0; i < 2; i++) await waitForMedia(nginx, i, keys[i]!);

      for (const offset of ["+3600", "-3600"]) {
        await t.step(`wall clock ${offset} s`, async () => {
          const flow = watchFlow(nginx, 0, keys[0]!);
          await Deno.writeTextFile(offsetFile, offset);
          const jumped = performance.now();
          // The session still authenticates (7-day lifetime; a jump of an hour is no expiry).
          assert.equal(await withSession(), 200, "session cookie still valid");

          // Media and stats keep going through the jump.
          await new Promise((resolve) => setTimeout(resolve, 4000));
          const report = await flow.stop();
          assert.ok(report.longestStallMs < 5000, `media stalled ${report.longestStallMs} ms`);
          const stats = ws.payloads<StreamStats>("stream_stats", jumped + 1500);
          assert.ok(stats.length >= 2, `stream_stats after the jump: ${stats.length}`);
          assert.ok(stats.at(-1)!.bitrate > 0, `bitrate after the jump: ${stats.at(-1)!.bitrate}`);
          const targetStats = ws.payloads<TargetStats>("target_stats", jumped + 1500)
            .filter((s) => s.targetId === "t0");
          assert.ok(targetStats.at(-1)!.bitrate > 0, "target bitrate after the jump");
          // Durations run on a monotonic clock: an hour's jump must not show up in uptime.
          assert.ok(
            targetStats.at(-1)!.uptimeSecs < 600,
            `target uptime after the jump: ${targetStats.at(-1)!.uptimeSecs} s`,
          );

          // Back-off runs on monotonic timers: a retry computed from the wall clock would land an
          // hour away and this wait would time out.
          await nginx.stopServer(1);
          const down = performance.now();
          await ws.next<TargetStatus>(
            "target_status",
            (s) => s.targetId === "t1" && s.state === "reconnecting",
            { since: down - 100, timeoutMs: 10_000 },
          );
          await new Promise((resolve) => setTimeout(resolve, 3000));
          const back = performance.now();
          await nginx.startServer(1);
          await ws.next<TargetStatus>(
            "target_status",
            (s) => s.targetId === "t1" && s.state === "live",
            { since: back, timeoutMs: 10_000 },
          );
          await waitForMedia(nginx, 1, keys[1]!);
          await waitFor(() => host.healthy(), { what: "/health" });
        });
      }
    } finally {
      await live.stop();
    }
    const texts = [...host.process.lines, ...host.process.errLines, ...ws.raw];
    assert.deepEqual(findLeakedSecrets(texts, [token, ...keys]), [], "no secret in logs or events");
  });
});
