import assert from "node:assert/strict";
import { freePort, startNginxRtmp, startPublisher, waitFor } from "@spiritstream/testing";
import { markedProcesses as marked } from "./testdata/marked_processes.ts";

Deno.test("kill -9 of a process hosting the engine leaves no FFmpeg behind", async () => {
  const nginx = await startNginxRtmp({ apps: 1 });
  const marker = `orphan-test-${crypto.randomUUID()}`;
  const rtmpPort = freePort();
  const url = nginx.url(0, "killed");
  const host = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./testdata/host_engine.ts", import.meta.url).pathname,
      JSON.stringify({
        marker,
        rtmpPort,
        srtPort: freePort(),
        target: url.slice(0, url.lastIndexOf("/")),
        srtTarget: `srt://127.0.0.1:${freePort()}`,
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
    try {
      await waitFor(
        async () => ((await nginx.stat())[0]?.streams[0]?.bytesIn ?? 0) > 50_000,
        { what: "encoded media at the destination", timeoutMs: 20_000 },
      );
      const before = await marked(marker);
      // re-encode FFmpeg, SRT target FFmpeg, SRT listener FFmpeg with its sh and cat wrapper
      assert.ok(before.length >= 4, `marked processes before: ${before.length}`);
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
    }
  } finally {
    if (!killed) {
      host.kill("SIGKILL");
      await host.status;
    }
    // Never leave strays on the machine even when the assertion failed.
    for (const pid of await marked(marker)) Deno.kill(pid, "SIGKILL");
    await nginx.stop();
  }
});
