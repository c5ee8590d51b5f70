import assert from "node:assert/strict";
import { createLogger } from "@spiritstream/kit";
import { waitFor } from "@spiritstream/testing";
import { join } from "node:path";
import { watchThemeDir } from "./watch_theme_dir.ts";

const DEBOUNCE_MS = 200;
const logger = createLogger({ destination: { write() {} } });

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What the folder held at each `onChange` (null: missing). */
async function listing(dir: string): Promise<string[] | null> {
  try {
    const names: string[] = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    return names.sort();
  } catch {
    return null;
  }
}

async function withWatchedDir(
  fn: (dir: string, calls: (string[] | null)[]) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "themes_watch_" });
  const dir = join(root, "themes");
  await Deno.mkdir(dir);
  const calls: (string[] | null)[] = [];
  const watcher = await watchThemeDir(dir, {
    debounceMs: DEBOUNCE_MS,
    logger,
    onChange: async () => void calls.push(await listing(dir)),
  });
  try {
    await fn(dir, calls);
  } finally {
    await watcher.close();
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("watchThemeDir() calls onChange once for a burst of writes", async () => {
  await withWatchedDir(async (dir, calls) => {
    await Deno.writeTextFile(join(dir, "a.json"), "{}");
    await Deno.writeTextFile(join(dir, "b.json"), "{}");
    await Deno.writeTextFile(join(dir, "a.json"), "{ }");
    await waitFor(() => calls.length >= 1, { what: "onChange" });
    await sleep(DEBOUNCE_MS * 3);
    assert.deepEqual(calls, [["a.json", "b.json"]]);
  });
});

Deno.test("watchThemeDir() keeps watching after the folder is deleted and recreated", async () => {
  await withWatchedDir(async (dir, calls) => {
    await Deno.remove(dir, { recursive: true });
    await waitFor(() => calls.includes(null), { what: "the deletion" });
    await Deno.mkdir(dir);
    await waitFor(() => calls.at(-1) !== null, { what: "the recreation" });
    // Only a watch on the new folder sees this write.
    await Deno.writeTextFile(join(dir, "new.jsonc"), "{}");
    await waitFor(() => calls.at(-1)?.includes("new.jsonc"), { what: "the new file" });
    // And again, replacing the folder within one burst.
    await Deno.remove(dir, { recursive: true });
    await Deno.mkdir(dir);
    const before = calls.length;
    await waitFor(() => calls.length > before, { what: "the replacement" });
    await Deno.writeTextFile(join(dir, "again.json"), "{}");
    await waitFor(() => calls.at(-1)?.includes("again.json"), { what: "the file in it" });
  });
});

Deno.test("watchThemeDir() ignores other files of the data dir while the folder is missing", async () => {
  await withWatchedDir(async (dir, calls) => {
    await Deno.remove(dir);
    await waitFor(() => calls.length === 1, { what: "the deletion" });
    await Deno.writeTextFile(join(dir, "..", "profiles.db"), "x");
    await sleep(DEBOUNCE_MS * 3);
    assert.deepEqual(calls, [null]);
  });
});

Deno.test("watchThemeDir() close() stops the watch and a pending call", async () => {
  const root = await Deno.makeTempDir({ prefix: "themes_watch_" });
  let calls = 0;
  const watcher = await watchThemeDir(root, {
    debounceMs: DEBOUNCE_MS,
    logger,
    onChange: () => Promise.resolve(void calls++),
  });
  await Deno.writeTextFile(join(root, "pending.json"), "{}");
  await sleep(DEBOUNCE_MS / 4);
  await watcher.close();
  await Deno.writeTextFile(join(root, "after.json"), "{}");
  await sleep(DEBOUNCE_MS * 3);
  await Deno.remove(root, { recursive: true });
  assert.equal(calls, 0);
});
