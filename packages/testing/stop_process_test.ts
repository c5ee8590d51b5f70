import assert from "node:assert/strict";
import { stopProcess } from "./stop_process.ts";

function spawn(script: string): Deno.ChildProcess {
  return new Deno.Command("sh", { args: ["-c", script], stdout: "null", stderr: "null" }).spawn();
}

Deno.test("stopProcess() ends a process with SIGTERM, or SIGKILL after the grace time", async () => {
  const polite = await stopProcess(spawn("sleep 30"));
  assert.equal(polite.signal, "SIGTERM");
  const stubborn = spawn("trap '' TERM; while true; do sleep 0.05; done");
  await new Promise((resolve) => setTimeout(resolve, 200)); // let it install the trap
  const started = performance.now();
  const forced = await stopProcess(stubborn, { graceMs: 300 });
  assert.equal(forced.signal, "SIGKILL");
  assert.ok(performance.now() - started >= 250, "waited for the grace time first");
  assert.equal((await stopProcess(stubborn)).signal, "SIGKILL", "an exited process is fine");
});
