import assert from "node:assert/strict";
import type { StreamState } from "@spiritstream/contracts";
import {
  ensureTestClip,
  freePort,
  startNginxRtmp,
  startReconnectingPublisher,
  waitFor,
} from "@spiritstream/testing";
import { type DesktopHost, startDesktopHost } from "../bench/lib/desktop_host.ts";
import {
  destinationStream,
  waitForBytesFlowing,
  waitForMedia,
} from "../bench/lib/destination_media.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { copyGroup, nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import { type Defer, withCleanup } from "./with_cleanup.ts";

const INGEST_KEY = "obs-ingest-key-4f1c2a9b7d3e";

/** A host on `dataDir`, stopped (SIGTERM, the data dir kept) at the end of the test. */
async function hostOn(dataDir: string, defer: Defer): Promise<DesktopHost> {
  const host = await startDesktopHost({ dataDir });
  defer(() => host.stop());
  return host;
}

/** Kills the host like a crash (no shutdown handler runs) and waits until it is gone. */
async function crash(host: DesktopHost): Promise<void> {
  host.process.kill("SIGKILL");
  await host.process.exited;
}

/** Resolves once no destination shows `key` publishing (the killed host's pushes are gone). */
async function destinationsIdle(nginx: Parameters<typeof destinationStream>[0], keys: string[]) {
  await waitFor(async () => {
    for (const [index, key] of keys.entries()) {
      if ((await destinationStream(nginx, index, key))?.publishing) return false;
    }
    return true;
  }, { timeoutMs: 15_000, what: "the destinations to see the killed host's pushes end" });
}

Deno.test("desktop host: kill -9 while live, restart on the same data dir: the retrying publisher's media reaches the destinations again with no command sent", () =>
  withCleanup(async (defer) => {
    const clip = await ensureTestClip({ seconds: 4 });
    const nginx = await startNginxRtmp({ apps: 2 });
    defer(() => nginx.stop());
    const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-resume-" });
    defer(() => Deno.remove(dataDir, { recursive: true }));
    const keys = [secretKey("resume-a"), secretKey("resume-b")];
    const group = copyGroup("main", keys.map((key, i) => nginxTarget(nginx, `t${i}`, i, key)));
    const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
    const input = { streamKey: INGEST_KEY };

    const first = await hostOn(dataDir, defer);
    await first.call("open_ingest", { incomingUrl, input });
    const publisher = startReconnectingPublisher(`${incomingUrl}/${INGEST_KEY}`, clip, 500);
    defer(() => publisher.stop());
    await waitFor(async () => {
      const state = await first.call<StreamState>("get_stream_state");
      return state.ingest.state === "live";
    }, { timeoutMs: 20_000, what: "the ingest to see the publisher" });
    await first.call("start_all_streams", { groups: [group], incomingUrl, input });
    for (const [i, key] of keys.entries()) await waitForMedia(nginx, i, key, { timeoutMs: 20_000 });
    const texts = [...first.process.lines, ...first.process.errLines];

    await crash(first);
    await destinationsIdle(nginx, keys);
    const startsBefore = publisher.starts;

    const second = await hostOn(dataDir, defer);
    // No command: the host resumes on its own, the publisher's next retry gets in.
    for (const [i, key] of keys.entries()) await waitForMedia(nginx, i, key, { timeoutMs: 30_000 });
    assert.ok(publisher.starts > startsBefore, "the publisher got in again with a new connection");
    const state = await second.call<StreamState>("get_stream_state");
    assert.equal(state.ingest.state, "live");
    assert.equal(state.groups[0]?.state, "live");

    // A second host on the same data dir would run the same streams twice: it is refused.
    await assert.rejects(
      startDesktopHost({ dataDir }),
      /Another SpiritStream host is using .*encoder\.db/,
    );
    await waitForBytesFlowing(nginx, 0, keys[0]!, { timeoutMs: 10_000 });
    texts.push(...second.process.lines, ...second.process.errLines);
    assert.deepEqual(findLeakedSecrets(texts, [...keys, INGEST_KEY]), []);
  }));

Deno.test("desktop host: after stop_all_streams or a clean quit, a restart on the same data dir resumes nothing", () =>
  withCleanup(async (defer) => {
    const clip = await ensureTestClip({ seconds: 4 });
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-resume-" });
    defer(() => Deno.remove(dataDir, { recursive: true }));
    const key = secretKey("no-resume");
    const group = copyGroup("main", [nginxTarget(nginx, "t", 0, key)]);
    const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
    const publisher = startReconnectingPublisher(`${incomingUrl}/obs`, clip, 500);
    defer(() => publisher.stop());

    async function goLive(host: DesktopHost): Promise<void> {
      await host.call("open_ingest", { incomingUrl });
      await host.call("start_all_streams", { groups: [group], incomingUrl });
      await waitForMedia(nginx, 0, key, { timeoutMs: 30_000 });
    }

    /** A fresh host on the data dir: idle, and stays so while the publisher keeps retrying. */
    async function assertNothingResumes(): Promise<void> {
      const host = await hostOn(dataDir, defer);
      const startsBefore = publisher.starts;
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const state = await host.call<StreamState>("get_stream_state");
      assert.equal(state.ingest.state, "idle");
      assert.deepEqual(state.groups, []);
      assert.equal((await destinationStream(nginx, 0, key))?.publishing ?? false, false);
      assert.ok(publisher.starts > startsBefore + 2, "the publisher kept retrying meanwhile");
      await host.stop();
    }

    // stop_all_streams, then a crash: the stop was for good.
    const first = await hostOn(dataDir, defer);
    await goLive(first);
    await first.call("stop_all_streams", {});
    await crash(first);
    await destinationsIdle(nginx, [key]);
    await assertNothingResumes();

    // A clean quit (SIGTERM, as when the app is closed) while live.
    const second = await hostOn(dataDir, defer);
    await goLive(second);
    const status = await second.stop();
    assert.equal(status.code, 0, "the host shut down cleanly");
    await destinationsIdle(nginx, [key]);
    await assertNothingResumes();
  }));

/** Mounts a tmpfs of `size` at `dir` (root in CI; without it the test fails, never skips). */
async function mountTmpfs(dir: string, size: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    const why = new TextDecoder().decode(stderr).trim();
    throw new Error(`This test needs to mount a small tmpfs (root or CAP_SYS_ADMIN): ${why}`);
  }
}

/** Writes zeros into `path` until the file system says it is full. */
async function fillDisk(path: string): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true });
  const chunk = new Uint8Array(16 * 1024);
  try {
    for (;;) await file.write(chunk);
  } catch (error) {
    if (!(error instanceof Error) || !/space|ENOSPC|os error 28/i.test(error.message)) throw error;
  } finally {
    file.close();
  }
}

Deno.test("desktop host: a data disk that fills up while live does not stop the streams (the durable state is written by commands only)", () =>
  withCleanup(async (defer) => {
    const clip = await ensureTestClip({ seconds: 4 });
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const dir = await Deno.makeTempDir({ prefix: "spiritstream-full-live-" });
    defer(() => Deno.remove(dir, { recursive: true }));
    await mountTmpfs(dir, "16m");
    defer(() => new Deno.Command("umount", { args: [dir] }).output());
    const dataDir = `${dir}/data`;
    await Deno.mkdir(dataDir);
    const key = secretKey("full-disk");
    const group = copyGroup("main", [nginxTarget(nginx, "t", 0, key)]);
    const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
    const host = await hostOn(dataDir, defer);
    await host.call("open_ingest", { incomingUrl });
    const publisher = startReconnectingPublisher(`${incomingUrl}/obs`, clip, 500);
    defer(() => publisher.stop());
    await host.call("start_all_streams", { groups: [group], incomingUrl });
    await waitForMedia(nginx, 0, key, { timeoutMs: 30_000 });

    await fillDisk(`${dir}/filler`);
    const full = (await destinationStream(nginx, 0, key))!.bytesIn;
    // Past the 6 s lease: a renewal that had to reach the disk would have failed by now.
    await new Promise((resolve) => setTimeout(resolve, 9000));
    await waitForBytesFlowing(nginx, 0, key, { timeoutMs: 10_000 });
    assert.ok((await destinationStream(nginx, 0, key))!.bytesIn > full);
    const state = await host.call<StreamState>("get_stream_state");
    assert.equal(state.groups[0]?.state, "live");
    const dropped = host.process.lines.find((line) => line.includes("expired unrenewed"));
    assert.equal(dropped, undefined, "the stream lease was renewed all along");
  }));
