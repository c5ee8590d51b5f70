import assert from "node:assert/strict";

const script = (kind: "config" | "other") => `
import { exitIfOperatorError } from "${new URL("./operator_error.ts", import.meta.url).href}";
class SettingError extends Error {}
try {
  throw ${
  kind === "config" ? 'new SettingError("SPIRITSTREAM_X: must be set")' : 'new TypeError("a bug")'
};
} catch (error) {
  exitIfOperatorError(error, SettingError);
}
`;

async function run(kind: "config" | "other") {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", script(kind)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("exitIfOperatorError() prints one line and exits 2 for the given kinds, rethrows the rest", async () => {
  const config = await run("config");
  assert.equal(config.code, 2);
  assert.equal(config.stderr, "SPIRITSTREAM_X: must be set\n");
  const other = await run("other");
  assert.equal(other.code, 1);
  assert.match(other.stderr, /TypeError: a bug/);
});
