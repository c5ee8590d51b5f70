import { basename, dirname, join } from "node:path";
import { AppError } from "@spiritstream/contracts";

/** Options for {@linkcode writeNewFile}. */
export interface WriteNewFileOptions {
  /** The command argument the path came from, named in the error when the file exists. */
  field: string;
}

/**
 * Creates `path` (mode 0600) holding `text`, never over an existing file or link: the text goes
 * to a temporary file created exclusively (O_EXCL) beside it, is synced, then hard-linked to
 * `path`, which fails if anything appeared there meanwhile. The file shows up whole or not at
 * all. `path` should come from `resolveExportFile`.
 */
export async function writeNewFile(
  path: string,
  text: string,
  options: WriteNewFileOptions,
): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${crypto.randomUUID().slice(0, 8)}.tmp`);
  await Deno.writeTextFile(temp, text, { createNew: true, mode: 0o600 });
  try {
    const handle = await Deno.open(temp, { read: true, write: true });
    try {
      await handle.sync();
    } finally {
      handle.close();
    }
    await Deno.link(temp, path);
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "${options.field}": a file already exists there (exports never replace a file)`,
      );
    }
    throw error;
  } finally {
    await Deno.remove(temp);
  }
}
