import assert from "node:assert/strict";
import {
  freePort,
  type NginxRtmp,
  startNginxRtmp,
  startReconnectingPublisher,
  waitFor,
} from "@spiritstream/testing";

/** Calls a command the way a client does; answers the HTTP status and the envelope. */
export type Invoke = (
  command: string,
  args: unknown,
) => Promise<{ status: number; body: { ok: boolean; error: string | null } }>;

/**
 * Goes live through `invoke`: a passthrough group to an nginx-rtmp "platform", an FFmpeg "OBS"
 * publishing a clip to the ingest, and media must reach the platform; then stops the streams.
 */
export async function goLive(invoke: Invoke): Promise<void> {
  const nginx = await startNginxRtmp({ apps: 1 });
  const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
  let obs: { stop(): Promise<void> } | null = null;
  try {
    const key = "go-live-key";
    const group = {
      id: "main",
      name: "Passthrough",
      isDefault: true,
      generatePts: true,
      video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
      audio: { codec: "copy", bitrate: "0k", channels: 0, sampleRate: 0 },
      container: { format: "flv" },
      streamTargets: [{
        id: "t1",
        service: "Custom",
        name: "Local platform",
        url: `rtmp://127.0.0.1:${nginx.ports[0]}/live`,
        streamKey: key,
      }],
    };
    const started = await invoke("start_all_streams", { groups: [group], incomingUrl });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    // OBS: publishes again whenever its connection ends (e.g. before the ingest listens).
    obs = startReconnectingPublisher(`${incomingUrl}/obs`, undefined, 300);
    await waitFor(() => flowing(nginx, key), {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: "media at the nginx-rtmp platform",
    });
    const stopped = await invoke("stop_all_streams", {});
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
  } finally {
    await obs?.stop();
    await nginx.stop();
  }
}

/** Media reaches stream `name` at the destination: its byte count grows. */
async function flowing(nginx: NginxRtmp, name: string): Promise<boolean> {
  async function bytes(): Promise<number> {
    const stream = (await nginx.stat())[0]!.streams.find((s) => s.name === name && s.publishing);
    return stream?.bytesIn ?? 0;
  }
  const first = await bytes();
  await new Promise((resolve) => setTimeout(resolve, 700));
  return first > 0 && await bytes() > first;
}
