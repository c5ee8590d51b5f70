import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import { browseHostFolder } from "./browse_host_folder.ts";

function refused(code: string, pattern: RegExp) {
  return (error: unknown) =>
    error instanceof AppError && error.code === code && pattern.test(error.message);
}

Deno.test("browseHostFolder() lists folders first, by name, without hidden entries; parent only when allowed", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "spiritstream-browse-" }));
  try {
    const home = `${root}/home`;
    const data = `${root}/data`;
    await Deno.mkdir(`${home}/Videos`, { recursive: true });
    await Deno.mkdir(`${home}/apps`);
    await Deno.mkdir(`${home}/.secret`);
    await Deno.mkdir(data);
    await Deno.writeTextFile(`${home}/b.json`, "12345");
    await Deno.writeTextFile(`${home}/A.txt`, "1");
    await Deno.writeTextFile(`${home}/.bashrc`, "x");
    const options = { roots: [data, home], home };

    const listing = await browseHostFolder(null, options);
    assert.deepEqual(listing, {
      path: home,
      entries: [
        { name: "apps", type: "directory", size: null },
        { name: "Videos", type: "directory", size: null },
        { name: "A.txt", type: "file", size: 1 },
        { name: "b.json", type: "file", size: 5 },
      ],
      parent: null,
    });
    assert.deepEqual(await browseHostFolder("", options), listing);
    assert.equal((await browseHostFolder(`${home}/Videos/`, options)).parent, home);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("browseHostFolder() refuses hostile paths with §1.1's statuses, naming the field", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "spiritstream-browse-" }));
  try {
    const home = `${root}/home`;
    await Deno.mkdir(home);
    await Deno.writeTextFile(`${home}/file.txt`, "x");
    await Deno.symlink("/etc", `${home}/etc-link`);
    await Deno.mkdir(`${home}/.ssh/keys`, { recursive: true });
    await Deno.symlink(`${home}/.ssh`, `${home}/ssh-link`);
    const options = { roots: [home], home };
    const outside = refused("permission_denied", /^Access to this directory is not allowed/);
    await assert.rejects(browseHostFolder("/etc", options), outside);
    await assert.rejects(browseHostFolder(`${home}/etc-link`, options), outside, "a link out");
    await assert.rejects(browseHostFolder(root, options), outside);
    // Hidden folders (keys, credentials) are never listed: not by name, not through a link.
    await assert.rejects(browseHostFolder(`${home}/.ssh`, options), outside, "a hidden folder");
    await assert.rejects(browseHostFolder(`${home}/.ssh/keys`, options), outside, "below one");
    await assert.rejects(browseHostFolder(`${home}/ssh-link`, options), outside, "a link to one");
    await assert.rejects(
      browseHostFolder(`${home}/../..`, options),
      refused("invalid_argument", /"path": must not contain "\.\." segments/),
    );
    await assert.rejects(
      browseHostFolder("relative/dir", options),
      refused("invalid_argument", /"path": must be an absolute path/),
    );
    await assert.rejects(
      browseHostFolder(`${home}/a\u0000b`, options),
      refused("invalid_argument", /"path": must not contain NUL/),
    );
    await assert.rejects(
      browseHostFolder(`${home}/missing`, options),
      refused("not_found", /"path": Directory not found/),
    );
    await assert.rejects(
      browseHostFolder(`${home}/file.txt`, options),
      refused("invalid_argument", /"path": Path is not a directory/),
    );
    await assert.rejects(
      browseHostFolder(null, { roots: [home], home: null }),
      refused("internal", /^Cannot determine home directory$/),
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
