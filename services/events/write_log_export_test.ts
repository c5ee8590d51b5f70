import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { writeLogExport } from "./write_log_export.ts";

function refused(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof AppError && error.code === "invalid_argument" && pattern.test(error.message);
}

Deno.test("writeLogExport() writes inside a root and refuses every way out", async () => {
  const base = await Deno.makeTempDir({ prefix: "spiritstream-export-" });
  const data = `${base}/data`;
  const home = `${base}/home`;
  const outside = `${base}/outside`;
  for (const dir of [data, home, outside, `${home}/Downloads`]) await Deno.mkdir(dir);
  const roots = { roots: [data, home, null] };
  try {
    await writeLogExport(`${data}/export.log`, "line 1\nline 2\n", roots);
    assert.equal(await Deno.readTextFile(`${data}/export.log`), "line 1\nline 2\n");
    await writeLogExport(`${home}/Downloads/logs.txt`, "first", roots);
    await writeLogExport(`${home}/Downloads/logs.txt`, "replaced", roots);
    assert.equal(await Deno.readTextFile(`${home}/Downloads/logs.txt`), "replaced");

    await assert.rejects(
      writeLogExport(`${outside}/x.log`, "x", roots),
      refused(/inside the data folder/),
    );
    await assert.rejects(writeLogExport(`${data}/../outside/x.log`, "x", roots), refused(/".."/));
    await assert.rejects(writeLogExport("relative.log", "x", roots), refused(/absolute/));
    await assert.rejects(writeLogExport(data, "x", roots), refused(/inside the data folder/));
    await assert.rejects(
      writeLogExport(`${data}/missing/x.log`, "x", roots),
      refused(/folder does not exist/),
    );
    await assert.rejects(writeLogExport(`${home}/Downloads`, "x", roots), refused(/not a folder/));

    // A link inside a root that points out of it is no way out.
    await Deno.symlink(outside, `${home}/escape`);
    await assert.rejects(
      writeLogExport(`${home}/escape/x.log`, "x", roots),
      refused(/inside the data folder/),
    );
    await Deno.writeTextFile(`${outside}/victim.txt`, "keep");
    await Deno.symlink(`${outside}/victim.txt`, `${data}/link.log`);
    await assert.rejects(
      writeLogExport(`${data}/link.log`, "x", roots),
      refused(/not a folder or a link/),
    );
    assert.equal(await Deno.readTextFile(`${outside}/victim.txt`), "keep");
    const names = (await Array.fromAsync(Deno.readDir(outside))).map((entry) => entry.name);
    assert.deepEqual(names, ["victim.txt"]);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
