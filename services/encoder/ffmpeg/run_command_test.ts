import assert from "node:assert/strict";
import { runCommand } from "./run_command.ts";

Deno.test("runCommand() answers output and exit code, without a shell", async () => {
  const result = await runCommand("/bin/echo", ["$HOME", "a;b"]);
  assert.equal(result.stdout, "$HOME a;b\n");
  assert.equal(result.success, true);
  assert.equal(result.timedOut, false);
});

Deno.test("runCommand() returns once the program exits, even if a child it left holds stdout", async () => {
  const started = Date.now();
  const result = await runCommand("/bin/sh", ["-c", "sleep 60 & echo $!"], { timeoutMs: 5000 });
  const leftover = Number(result.stdout.trim());
  try {
    assert.equal(result.success, true);
    // Generous: without the drain limit the call waits the full 60 s of the child.
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
  } finally {
    if (leftover > 0) Deno.kill(leftover, "SIGKILL");
  }
});

Deno.test("runCommand() with emptyEnv passes no variable of this process", async () => {
  Deno.env.set("SPIRITSTREAM_RUN_COMMAND_TEST", "secret-value");
  try {
    const inherited = await runCommand("/usr/bin/env", []);
    assert.match(inherited.stdout, /SPIRITSTREAM_RUN_COMMAND_TEST=secret-value/);
    const empty = await runCommand("/usr/bin/env", [], { emptyEnv: true });
    assert.equal(empty.stdout, "");
  } finally {
    Deno.env.delete("SPIRITSTREAM_RUN_COMMAND_TEST");
  }
});

Deno.test("runCommand() with stopWhen kills the program once its stderr says the answer", async () => {
  // FFmpeg 5.1 refuses AV1 in FLV at once, then libsvtav1 hangs in its teardown.
  const result = await runCommand("/bin/sh", [
    "-c",
    "echo 'Video codec av1 not compatible with flv' >&2; exec sleep 60",
  ], { timeoutMs: 30_000, stopWhen: /not compatible with flv/ });
  assert.equal(result.timedOut, false, "stopped by its answer, not by the timeout");
  assert.equal(result.success, false);
  assert.match(result.stderr, /Video codec av1 not compatible with flv/);
});

Deno.test("runCommand() with a signal kills the program when it aborts, and refuses to start once aborted", async () => {
  const abort = new AbortController();
  const pending = runCommand("/bin/sleep", ["60"], { timeoutMs: 120_000, signal: abort.signal });
  abort.abort();
  const result = await pending;
  assert.equal(result.success, false);
  assert.equal(result.timedOut, true, "killed, not exited by itself");
  await assert.rejects(runCommand("/bin/echo", ["late"], { signal: abort.signal }));
});
