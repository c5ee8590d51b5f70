import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";
import { readSecretFiles } from "./secret_files.ts";

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "secret_files_" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readSecretFiles() reads SPIRITSTREAM_X_FILE into SPIRITSTREAM_X, newline trimmed", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/token`, "token-from-a-file-1234\n", { mode: 0o600 });
    await Deno.chmod(`${dir}/token`, 0o600);
    const files = readSecretFiles({ SPIRITSTREAM_API_TOKEN_FILE: `${dir}/token` });
    assert.deepEqual(files, {
      values: { SPIRITSTREAM_API_TOKEN: "token-from-a-file-1234" },
      warnings: [],
    });
    const config = loadConfig({ ...files.values }, { os: "linux" });
    assert.equal(config.apiToken, "token-from-a-file-1234");
  });
});

Deno.test("readSecretFiles() advises chmod 600 for a file others can read, without its contents", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/pw`, "hunter2-secret-pw");
    await Deno.chmod(`${dir}/pw`, 0o644);
    const files = readSecretFiles({ SPIRITSTREAM_DATABASE_PASSWORD_FILE: `${dir}/pw` });
    assert.deepEqual(files.warnings, [
      `SPIRITSTREAM_DATABASE_PASSWORD_FILE: ${dir}/pw is open to every user (mode 644); chmod 600 it (640 when a group must share it)`,
    ]);
    assert.ok(!files.warnings[0]!.includes("hunter2"));
    await Deno.chmod(`${dir}/pw`, 0o640);
    assert.deepEqual(
      readSecretFiles({ SPIRITSTREAM_DATABASE_PASSWORD_FILE: `${dir}/pw` }).warnings,
      [],
    );
  });
});

Deno.test("readSecretFiles() refuses both forms set, naming both variables", () => {
  assert.throws(
    () =>
      readSecretFiles({
        SPIRITSTREAM_API_TOKEN: "plain-token-1234",
        SPIRITSTREAM_API_TOKEN_FILE: "/run/secrets/api_token",
      }),
    (error: unknown) =>
      error instanceof ConfigError && error.variable === "SPIRITSTREAM_API_TOKEN_FILE" &&
      error.message.includes("SPIRITSTREAM_API_TOKEN or SPIRITSTREAM_API_TOKEN_FILE") &&
      !error.message.includes("plain-token"),
  );
});

Deno.test("readSecretFiles() names the variable of a missing or empty file", async () => {
  await withDir(async (dir) => {
    assert.throws(
      () => readSecretFiles({ SPIRITSTREAM_SETUP_TOKEN_FILE: `${dir}/nope` }),
      new ConfigError("SPIRITSTREAM_SETUP_TOKEN_FILE", `${dir}/nope does not exist`),
    );
    await Deno.writeTextFile(`${dir}/empty`, "\n");
    assert.throws(
      () => readSecretFiles({ SPIRITSTREAM_ADMIN_PASSWORD_FILE: `${dir}/empty` }),
      new ConfigError("SPIRITSTREAM_ADMIN_PASSWORD_FILE", `${dir}/empty is empty`),
    );
  });
});

Deno.test("loadConfig() puts SPIRITSTREAM_DATABASE_PASSWORD into the database URL", () => {
  const config = loadConfig({
    SPIRITSTREAM_DATABASE_URL: "postgres://spiritstream@postgres:5432/spiritstream",
    SPIRITSTREAM_DATABASE_PASSWORD: "p@ss/word",
  }, { os: "linux" });
  assert.equal(
    config.databaseUrl,
    "postgres://spiritstream:p%40ss%2Fword@postgres:5432/spiritstream",
  );
});
