import assert from "node:assert/strict";
import { ensureTestClip, startNginxRtmp } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { goLive } from "../bench/lib/go_live.ts";
import { copyGroup, nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import type { WsCapture, WsEvent } from "../bench/lib/ws_capture.ts";
import { withCleanup } from "./with_cleanup.ts";

/** How long nothing of a stopped group may arrive: several stats intervals (1 s each). */
const QUIET_MS = 3_000;
const GROUP = "main";

/** Whether a `/ws` frame belongs to the group's stream (stats, status, errors, its end). */
function ofGroup(frame: WsEvent): boolean {
  if (frame.event === "stream_ended") return frame.payload === GROUP;
  return (frame.payload as { groupId?: unknown } | null)?.groupId === GROUP;
}

/** The group's frames that arrived after its `stream_ended` (at or after `since`). */
function afterEnd(ws: WsCapture, since: number): string[] {
  const end = ws.events.findIndex((e) =>
    e.event === "stream_ended" && e.payload === GROUP && e.at >= since
  );
  assert.ok(end >= 0, "stream_ended arrived");
  return ws.events.slice(end + 1).filter(ofGroup).map((e) => e.event);
}

const isOurs = (p: { groupId: string }) => p.groupId === GROUP;

Deno.test("desktop host: after stream_ended nothing of that stream reaches /ws, live or replayed with since", () =>
  withCleanup(async (defer) => {
    const clip = await ensureTestClip({ seconds: 4 });
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const host = await startDesktopHost({ logLevel: "warn" });
    defer(() => host.stop());
    const ws = await host.ws();
    defer(() => ws.close());
    const group = copyGroup(GROUP, [nginxTarget(nginx, "t", 0, secretKey("end-order"))]);
    const live = await goLive(host, { clip, groups: [group], ingestOnly: true });
    defer(() => live.stop());

    for (const cycle of [1, 2]) {
      const since = performance.now();
      assert.equal((await live.startGroup(group)).status, 200);
      // Three stats frames: the stats timer runs and the hub has coalesced some per interval.
      const first = await ws.next("stream_stats", isOurs, { since, timeoutMs: 20_000 });
      let last = first;
      for (let i = 0; i < 2; i++) {
        last = await ws.next("stream_stats", isOurs, { since: last.at + 0.001 });
      }
      await host.call("stop_stream", { groupId: GROUP });
      await ws.next("stream_ended", (p: string) => p === GROUP, { since });
      // A dashboard that reconnects and replays the stream's last seconds, end included.
      const resumed = await host.ws({ since: String(Number(first.id) - 1) });
      defer(() => resumed.close());
      await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
      assert.deepEqual(afterEnd(ws, since), [], `cycle ${cycle}: live client`);
      assert.deepEqual(afterEnd(resumed, 0), [], `cycle ${cycle}: client resumed with since`);
      await resumed.close();
    }
  }));
