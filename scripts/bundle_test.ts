import assert from "node:assert/strict";
import { exerciseDesktop } from "./desktop/exercise_desktop.ts";

const SCRIPT = new URL("./bundle.ts", import.meta.url).pathname;

Deno.test("deno task bundle writes a bundle that runs the desktop app alone, dashboard included", async () => {
  const out = await Deno.makeTempDir({ prefix: "spiritstream_bundle_" });
  try {
    const built = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT, "--out", out],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const report = new TextDecoder().decode(built.stdout);
    assert.ok(built.success, new TextDecoder().decode(built.stderr).slice(-2000));
    assert.match(report, /answered \/health and served the dashboard/);
    assert.ok((await Deno.stat(`${out}/web/index.html`)).isFile, "dashboard beside the bundle");
    // No project, no node_modules, an empty Deno cache: the bundle carries everything.
    await exerciseDesktop(
      [Deno.execPath(), "run", "-A", "--no-config", `${out}/spiritstream.js`],
      { env: { DENO_DIR: `${out}/empty_deno_dir` } },
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
