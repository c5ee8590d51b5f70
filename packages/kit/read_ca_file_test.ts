import assert from "node:assert/strict";
import { ConfigError } from "./config.ts";
import { readCaFile } from "./read_ca_file.ts";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

Deno.test("readCaFile() returns every PEM certificate of the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/ca.pem`, `# two CAs\n${PEM}\n${PEM}\n`);
    assert.deepEqual(await readCaFile(`${dir}/ca.pem`), [PEM, PEM]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readCaFile() names SPIRITSTREAM_CA_FILE for a missing file or one without a certificate", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      readCaFile(`${dir}/missing.pem`),
      (e) =>
        e instanceof ConfigError &&
        /^Invalid SPIRITSTREAM_CA_FILE: cannot read .*no such file$/.test(e.message),
    );
    await Deno.writeTextFile(`${dir}/key.pem`, "-----BEGIN PRIVATE KEY-----\nx\n");
    await assert.rejects(
      readCaFile(`${dir}/key.pem`),
      (e) => e instanceof ConfigError && /holds no PEM certificate/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
