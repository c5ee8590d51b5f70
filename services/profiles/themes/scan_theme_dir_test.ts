import assert from "node:assert/strict";
import { createLogger } from "@spiritstream/kit";
import { join } from "node:path";
import { scanThemeDir } from "./scan_theme_dir.ts";
import { sampleJsonc, sampleTheme } from "./testdata/sample_theme.ts";

Deno.test("scanThemeDir() reads valid themes, skips the rest and warns about invalid ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themes_scan_" });
  const warnings: string[] = [];
  const logger = createLogger({ destination: { write: (line) => void warnings.push(line) } });
  try {
    await Deno.writeTextFile(join(dir, "zeta.jsonc"), sampleJsonc(sampleTheme("zeta", "Zeta")));
    await Deno.writeTextFile(
      join(dir, "alpha.json"),
      JSON.stringify(sampleTheme("alpha", "Alpha")),
    );
    // Same id as a file named after it: the canonical file wins whatever the name order.
    await Deno.writeTextFile(join(dir, "a-copy.json"), JSON.stringify(sampleTheme("zeta", "Old")));
    await Deno.writeTextFile(join(dir, "theme-template.jsonc"), sampleJsonc(sampleTheme("tpl")));
    await Deno.writeTextFile(join(dir, "old.deprecated.json"), sampleJsonc(sampleTheme("old")));
    await Deno.writeTextFile(join(dir, ".partial.json"), sampleJsonc(sampleTheme("partial")));
    await Deno.writeTextFile(join(dir, "notes.txt"), sampleJsonc(sampleTheme("notes")));
    await Deno.writeTextFile(join(dir, "broken.json"), '{ "id": "broken" }');
    const outside = await Deno.makeTempFile({ suffix: ".json" });
    await Deno.writeTextFile(outside, JSON.stringify(sampleTheme("linked")));
    await Deno.symlink(outside, join(dir, "linked.json"));
    const themes = await scanThemeDir(dir, { logger });
    await Deno.remove(outside);
    assert.deepEqual(themes.map((t) => [t.id, t.name]), [["alpha", "Alpha"], ["zeta", "Zeta"]]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /broken\.json/);
    assert.match(warnings[0]!, /Invalid theme \\"name\\": must not be empty/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scanThemeDir() returns no themes for a missing folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "themes_scan_" });
  await Deno.remove(dir);
  const logger = createLogger({ destination: { write() {} } });
  assert.deepEqual(await scanThemeDir(dir, { logger }), []);
});
