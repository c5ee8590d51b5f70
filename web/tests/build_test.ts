import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";

const WEB = new URL("../", import.meta.url).pathname;

Deno.test("vite build: emits index.html with hashed assets, keeps zod out of the bundle and stays small", async () => {
  const out = await Deno.makeTempDir({ prefix: "spiritstream-web-build-" });
  try {
    const result = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "npm:vite@8.3.8",
        "build",
        "--outDir",
        out,
        "--emptyOutDir",
        "--logLevel",
        "error",
      ],
      cwd: WEB,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(result.success, new TextDecoder().decode(result.stderr));
    const html = await Deno.readTextFile(`${out}/index.html`);
    const scripts = [...html.matchAll(/src="\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
    assert.equal(scripts.length, 1, html);
    assert.match(html, /href="\/assets\/[^"]+\.css"/);
    const js = await Deno.readTextFile(`${out}/assets/${scripts[0]}`);
    // Contracts are imported as types only: the schemas stay on the server.
    assert.doesNotMatch(js, /ZodError|\$ZodType/);
    const gzipped = gzipSync(new TextEncoder().encode(js)).length;
    assert.ok(gzipped < 80_000, `the dashboard JS is ${gzipped} bytes gzipped`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
