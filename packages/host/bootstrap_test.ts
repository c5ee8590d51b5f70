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

Deno.test("bootstrap(): SPIRITSTREAM_X_FILE secrets: both forms set stop the service with one line naming both", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "services/events/main.ts"],
    cwd: ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      SPIRITSTREAM_NATS_URL: "nats://127.0.0.1:1",
      SPIRITSTREAM_API_TOKEN: "plain-token-abcdef",
      SPIRITSTREAM_API_TOKEN_FILE: "/run/secrets/api_token",
    },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.notEqual(output.code, 0);
  assert.equal(
    stderr,
    "Invalid SPIRITSTREAM_API_TOKEN_FILE: set either SPIRITSTREAM_API_TOKEN or SPIRITSTREAM_API_TOKEN_FILE, not both (the file is the safer one)",
  );
});

Deno.test("bootstrap(): a secret file every user can read is used, with a chmod warning that omits the secret", async () => {
  const nats = await startNatsServer();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-secret-file-" });
  await Deno.writeTextFile(`${dir}/api_token`, "token-from-file-0123456789\n");
  await Deno.chmod(`${dir}/api_token`, 0o644);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", "services/events/main.ts"],
    cwd: ROOT,
    env: {
      SPIRITSTREAM_NATS_URL: nats.url,
      SPIRITSTREAM_DATA_DIR: `${dir}/data`,
      SPIRITSTREAM_LOG_DIR: `${dir}/logs`,
      SPIRITSTREAM_INSTANCE_ID: "e2",
      SPIRITSTREAM_API_TOKEN_FILE: `${dir}/api_token`,
    },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const file = `${dir}/logs/events-e2.log`;
  try {
    await waitFor(
      async () =>
        (await Deno.readTextFile(file).catch(() => "")).includes("Events service is ready"),
      { what: "the ready line in the service's log file", timeoutMs: 30_000 },
    );
    const text = await Deno.readTextFile(file);
    assert.match(
      text,
      /SPIRITSTREAM_API_TOKEN_FILE: .*api_token is open to every user \(mode 644\)/,
    );
    assert.ok(!text.includes("token-from-file-0123456789"));
  } finally {
    await stopProcess(child).catch(() => {});
    await nats.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
