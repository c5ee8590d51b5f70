import assert from "node:assert/strict";
import {
  ensureTestClip,
  freePort,
  startNginxRtmp,
  startPublisher,
  waitFor,
} from "@spiritstream/testing";
import { markedProcesses as marked } from "./testdata/marked_processes.ts";
import { srtListener, srtPublisher } from "../srt/testdata/srt_peers.ts";

Deno.test("kill -9 of a process hosting the engine leaves no FFmpeg behind", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const marker = `orphan-test-${crypto.randomUUID()}`;
  const rtmpPort = freePort();
  const srtPort = freePort();
  const platformPort = freePort();
  const url = nginx.url(0, "killed");
  // Live SRT both ways, so the SRT ingest's and the SRT target's FFmpegs are running too.
  const platform = srtListener(`srt://127.0.0.1:${platformPort}?mode=listener`, [
    "-f",
    "null",
    "-",
  ]);
  const host = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./testdata/host_engine.ts", import.meta.url).pathname,
      JSON.stringify({
        marker,
        rtmpPort,
        srtPort,
        target: url.slice(0, url.lastIndexOf("/")),
        srtTarget: `srt://127.0.0.1:${platformPort}`,
      }),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let killed = false;
  try {
    const reader = host.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    reader.releaseLock();
    void host.stdout.cancel().catch(() => {});
    const { encodePid } = JSON.parse(first.value ?? "{}") as { encodePid: number };
    assert.ok(encodePid > 0 && encodePid !== host.pid);

    // Media flows through the re-encode group while we pull the plug.
    const publisher = await startPublisher(`rtmp://127.0.0.1:${rtmpPort}/live/obs`);
    const srtCaller = srtPublisher(
      `srt://127.0.0.1:${srtPort}?mode=caller`,
      await ensureTestClip(),
    );
    try {
      await waitFor(
        async () => ((await nginx.stat())[0]?.streams[0]?.bytesIn ?? 0) > 50_000,
        { what: "encoded media at the destination", timeoutMs: 20_000 },
      );
      // re-encode FFmpeg, SRT target FFmpeg (once connected), SRT ingest FFmpeg (once called)
      const before = await waitFor(async () => {
        const pids = await marked(marker);
        return pids.length >= 3 ? pids : null;
      }, { what: "three FFmpegs of the engine", timeoutMs: 20_000 });
      assert.ok(before.includes(encodePid));

      host.kill("SIGKILL");
      killed = true;
      await host.status;
      const left = await waitFor(async () => (await marked(marker)).length === 0 || null, {
        what: "every FFmpeg of the killed engine to exit",
        timeoutMs: 15_000,
      }).catch(async () => await marked(marker));
      assert.equal(left, true, `processes left behind: ${JSON.stringify(left)}`);
    } finally {
      await publisher.stop();
      await srtCaller.stop();
    }
  } finally {
    if (!killed) {
      host.kill("SIGKILL");
      await host.status;
    }
    // Never leave strays on the machine even when the assertion failed.
    for (const pid of await marked(marker)) Deno.kill(pid, "SIGKILL");
    await nginx.stop();
    await platform.stop();
  }
});
