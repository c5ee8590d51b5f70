import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { writeNewFile } from "./write_new_file.ts";

Deno.test("writeNewFile() creates a 0600 file and never replaces a file or follows a link", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-new-file-" });
  const exists = (error: unknown) =>
    error instanceof AppError && error.code === "invalid_argument" &&
    /^Invalid argument "path": a file already exists there/.test(error.message);
  try {
    await writeNewFile(`${dir}/a.log`, "first", { field: "path" });
    assert.equal(await Deno.readTextFile(`${dir}/a.log`), "first");
    assert.equal((await Deno.stat(`${dir}/a.log`)).mode! & 0o777, 0o600);
    // A file that appeared after the path was checked (stand-in for secrets.key, ~/.bashrc).
    await Deno.writeTextFile(`${dir}/secrets.key`, "keep");
    await assert.rejects(
      writeNewFile(`${dir}/secrets.key`, "caller text", { field: "path" }),
      exists,
    );
    assert.equal(await Deno.readTextFile(`${dir}/secrets.key`), "keep");
    await Deno.writeTextFile(`${dir}/victim`, "keep");
    await Deno.symlink(`${dir}/victim`, `${dir}/link.log`);
    await assert.rejects(writeNewFile(`${dir}/link.log`, "caller text", { field: "path" }), exists);
    assert.equal(await Deno.readTextFile(`${dir}/victim`), "keep");
    const names = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    assert.deepEqual(names, ["a.log", "link.log", "secrets.key", "victim"], "no temp file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
