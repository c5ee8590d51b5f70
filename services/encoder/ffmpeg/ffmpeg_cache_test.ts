import assert from "node:assert/strict";
import { createLogger } from "@spiritstream/kit";
import { waitFor } from "@spiritstream/testing";
import { createFfmpegCache } from "./ffmpeg_cache.ts";

/**
 * An "ffmpeg" whose `-version` and `-encoders` answer like FFmpeg's and whose trial encodes hang
 * (libsvtav1 hanging in its teardown did that), writing their pid to a file first.
 */
async function hangingFfmpeg(dir: string): Promise<string> {
  const path = `${dir}/ffmpeg`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh
case "$*" in
  *-version*) echo "ffmpeg version 6.1-test Copyright (c) the FFmpeg developers"; exit 0 ;;
  *-encoders*) printf ' V....D libx264              libx264 H.264\\n A....D aac                  AAC\\n'; exit 0 ;;
esac
echo $$ >> "${dir}/trials"
exec sleep 120
`,
  );
  await Deno.chmod(path, 0o755);
  return path;
}

function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

Deno.test("FfmpegCache.close() kills a detection's running trial encodes, so none outlives the worker", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-ffmpeg-cache-" });
  let pids: number[] = [];
  try {
    const path = await hangingFfmpeg(dir);
    const cache = createFfmpegCache({
      settingPath: () => Promise.resolve(path),
      envPath: null,
      wellKnownPaths: [],
      pathEnv: "",
      detect: { timeoutMs: 120_000 },
      logger: createLogger({ level: "error" }),
    });
    const detecting = cache.encoders();
    await waitFor(async () => {
      const text = await Deno.readTextFile(`${dir}/trials`).catch(() => "");
      pids = text.split("\n").filter(Boolean).map(Number);
      return pids.length > 0;
    }, { what: "a trial encode running", timeoutMs: 30_000 });
    assert.ok(pids.every(alive), "the trial hangs until something stops it");
    cache.close();
    await assert.rejects(detecting, /closing/);
    await waitFor(() => pids.every((pid) => !alive(pid)), {
      what: "the trials killed",
      timeoutMs: 10_000,
    });
  } finally {
    for (const pid of pids) if (alive(pid)) Deno.kill(pid, "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
