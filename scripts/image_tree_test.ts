import assert from "node:assert/strict";
import { join } from "node:path";
import { assembleImageTree, DENO_DIR, devOnlyFiles, IMAGES, treeFiles } from "./image_tree.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");

/** The machine's Deno cache: the trees copy their packages from it (no download). */
function cacheDir(): string {
  return Deno.env.get("DENO_DIR") ?? join(Deno.env.get("HOME") ?? "/root", ".cache/deno");
}

Deno.test("devOnlyFiles() names dev packages and test files", () => {
  assert.deepEqual(
    devOnlyFiles([
      ".deno/npm/registry.npmjs.org/vite/8.3.8/package.json",
      ".deno/npm/registry.npmjs.org/@kubernetes-models/base/6.0.1/index.js",
      ".deno/npm/registry.npmjs.org/kubernetes-models/5.1.0/index.js",
      ".deno/npm/registry.npmjs.org/hono/4.13.19/package.json",
      "services/events/main.ts",
      "services/events/store_test.ts",
      "services/encoder/flv/testdata/headers/a.flv",
      "bench/ws_fanout_host.ts",
      "packages/testing/mod.ts",
    ]),
    [
      "dev package vite",
      "dev package kubernetes-models",
      "test/dev file services/events/store_test.ts",
      "test/dev file services/encoder/flv/testdata/headers/a.flv",
      "test/dev file bench/ws_fanout_host.ts",
      "test/dev file packages/testing/mod.ts",
    ],
  );
});

for (const image of IMAGES) {
  Deno.test(`image tree "${image.target}" holds no dev/test files and runs from its own cache`, async () => {
    const out = await Deno.makeTempDir({ prefix: `image_tree_${image.target}_` });
    try {
      await assembleImageTree(ROOT, image.entry, out, cacheDir());
      const { files, bytes } = await treeFiles(out);
      assert.deepEqual(devOnlyFiles(files), []);
      assert.ok(files.includes(image.entry), image.entry);
      assert.ok(!files.some((file) => file.startsWith("node_modules/")), "no node_modules");
      assert.ok(bytes > 0);
      // Nothing but the tree: a clean environment and its own DENO_DIR, cached only. Reaching
      // the config check means every module the entry imports at start-up resolved.
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--cached-only", image.entry],
        cwd: out,
        clearEnv: true,
        env: { PATH: Deno.env.get("PATH") ?? "", HOME: out, DENO_DIR: join(out, DENO_DIR) },
        stdin: "null",
      }).output();
      const stderr = new TextDecoder().decode(run.stderr);
      assert.notEqual(run.code, 0, stderr);
      assert.match(stderr, /Invalid SPIRITSTREAM_NATS_URL: must be set/);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });
}

Deno.test("the Dockerfile gives each image its own runtime tree, never the whole source", async () => {
  const dockerfile = await Deno.readTextFile(`${ROOT}/Dockerfile`);
  const stages = dockerfile.split(/\n(?=FROM )/);
  for (const image of IMAGES) {
    const stage = stages.find((text) => text.includes(` AS ${image.target}\n`));
    assert.ok(stage, `stage ${image.target}`);
    assert.ok(stage.includes(`COPY --from=trees --chown=deno:deno /trees/${image.target} /app`));
    assert.ok(stage.includes(image.entry), image.entry);
  }
  const trees = stages.find((text) => text.includes(" AS trees\n"));
  for (const image of IMAGES) {
    assert.ok(trees?.includes(image.entry), `trees builds ${image.entry}`);
  }
  assert.ok(!/COPY --from=source/.test(dockerfile), "no stage copies the whole source");
  assert.match(dockerfile, /DENO_DIR=\/app\/\.deno/);
});
