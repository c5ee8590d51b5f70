import assert from "node:assert/strict";
import { freePort } from "@spiritstream/testing";
import { exerciseDesktop } from "./desktop/exercise_desktop.ts";

const SCRIPT = new URL("./compile.ts", import.meta.url).pathname;

function runCompile(out: string, env: Record<string, string>, clearEnv = false) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SCRIPT, "--out", out],
    env,
    clearEnv,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
}

Deno.test("deno task compile stops with the DENORT_BIN hint when denort cannot be downloaded", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream_compile_" });
  try {
    // Any machine, online or not: no DENORT_BIN, an empty cache, and a proxy that refuses.
    const env = Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([name]) =>
        !/^(DENORT_BIN|DENO_DIR|NO_PROXY|no_proxy)$/.test(name)
      ),
    );
    const proxy = `http://127.0.0.1:${freePort()}`;
    const result = await runCompile(`${dir}/spiritstream`, {
      ...env,
      DENO_DIR: `${dir}/deno_dir`,
      HTTPS_PROXY: proxy,
      HTTP_PROXY: proxy,
    }, true);
    const stderr = new TextDecoder().decode(result.stderr);
    assert.equal(result.code, 1, stderr);
    assert.match(stderr, /could not get "denort"/);
    assert.match(stderr, /DENORT_BIN=\/path\/to\/denort deno task compile/);
    assert.match(stderr, /deno task bundle/);
    const left = (await Array.fromAsync(Deno.readDir(dir))).map((entry) => entry.name);
    assert.deepEqual(left.filter((name) => name.startsWith("spiritstream")), [], "no executable");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "deno task compile builds one executable that runs the desktop app (ignored without DENORT_BIN: dl.deno.land is unreachable here)",
  ignore: !Deno.env.get("DENORT_BIN"),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "spiritstream_compile_" });
    try {
      const executable = `${dir}/spiritstream`;
      const result = await runCompile(executable, {});
      assert.ok(result.success, new TextDecoder().decode(result.stderr).slice(-2000));
      assert.match(new TextDecoder().decode(result.stdout), /served the dashboard/);
      await exerciseDesktop([executable]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
