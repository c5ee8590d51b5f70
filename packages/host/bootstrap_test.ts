import assert from "node:assert/strict";
import { duplicateKeys, startNatsServer, stopProcess, waitFor } from "@spiritstream/testing";

const ROOT = new URL("../../", import.meta.url).pathname;

Deno.test("bootstrap(): with SPIRITSTREAM_LOG_DIR a service alone writes its own log file, one key per field (a base and a child binding both name the service)", async () => {
  const nats = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-bootstrap-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "services/events/main.ts"],
    cwd: ROOT,
    env: {
      SPIRITSTREAM_NATS_URL: nats.url,
      SPIRITSTREAM_DATA_DIR: `${dir}/data`,
      SPIRITSTREAM_LOG_DIR: `${dir}/logs`,
      SPIRITSTREAM_INSTANCE_ID: "e1",
      SPIRITSTREAM_LOG_LEVEL: "info",
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const file = `${dir}/logs/events-e1.log`;
  try {
    await waitFor(
      async () =>
        (await Deno.readTextFile(file).catch(() => "")).includes("Events service is ready"),
      { what: "the ready line in the service's log file", timeoutMs: 30_000 },
    );
    await stopProcess(child);
    const text = await Deno.readTextFile(file);
    for (const line of text.trimEnd().split("\n")) assert.deepEqual(duplicateKeys(line), [], line);
    assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${dir}/logs`)).mode! & 0o777, 0o700);
  } finally {
    await stopProcess(child).catch(() => {});
    await nats.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
