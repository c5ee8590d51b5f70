import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import { supervise } from "./supervise.ts";

async function withLogDir(fn: (logFile: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(`${dir}/process.log`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("supervise() restarts a killed process, restarts on request, and stops for good", async () => {
  await withLogDir(async (logFile) => {
    const events: string[] = [];
    // Each start appends to a marker file itself; `ready` waits for a new line, so the test
    // never stops a shell before it has run (which made this flaky under load).
    const marker = `${logFile}.starts`;
    let seen = 0;
    const countStarts = () =>
      Deno.readTextFile(marker).then((t) => t.split("\n").length - 1, () => 0);
    const process = supervise({
      name: "sleeper",
      cmd: "sh",
      args: ["-c", `echo started; echo x >> '${marker}'; exec sleep 60`],
      logFile,
      ready: async () => {
        const now = await countStarts();
        if (now <= seen) return false;
        seen = now;
        return true;
      },
    }, (line) => events.push(line));
    await process.ready();
    const first = process.pid;
    assert.ok(first > 0);

    process.kill();
    await waitFor(() => process.pid !== 0 && process.pid !== first, { what: "a new pid" });
    assert.equal(process.restarts, 1);
    assert.deepEqual(events, ["sleeper exited (signal SIGKILL); restarting in 250 ms"]);

    const starts = async () => (await Deno.readTextFile(logFile)).match(/started/g)?.length ?? 0;
    await waitFor(async () => await countStarts() >= 2, { what: "the restarted shell to run" });
    const second = process.pid;
    await process.restart();
    assert.notEqual(process.pid, second);
    assert.equal(process.restarts, 1, "a requested restart is not a crash");

    await waitFor(async () => await countStarts() >= 3, { what: "the third shell to run" });
    const last = process.pid;
    await process.stop();
    assert.equal(process.pid, 0);
    const gone = await Deno.stat(`/proc/${last}`).then(() => false, () => true);
    assert.ok(gone, "the process is gone");
    assert.equal(await starts(), 3);
  });
});

Deno.test("supervise() backs off further while a process keeps dying young", async () => {
  await withLogDir(async (logFile) => {
    const events: string[] = [];
    const process = supervise({
      name: "crasher",
      cmd: "sh",
      args: ["-c", "exit 3"],
      logFile,
      ready: () => Promise.resolve(false),
    }, (line) => events.push(line));
    await waitFor(() => events.length >= 3, { what: "three restarts" });
    await process.stop();
    assert.deepEqual(events.slice(0, 3), [
      "crasher exited (code 3); restarting in 250 ms",
      "crasher exited (code 3); restarting in 500 ms",
      "crasher exited (code 3); restarting in 1000 ms",
    ]);
  });
});
