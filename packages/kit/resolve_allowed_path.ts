import { AppError } from "@spiritstream/contracts";

/** Options for {@linkcode resolveAllowedPath}. */
export interface AllowedPathOptions {
  /** The argument name for errors, e.g. `exportPath`. */
  field: string;
  /** Folders the path must be inside (the data folder and the home folder). */
  roots: readonly string[];
  /**
   * Refuse a path below a hidden folder of its root (`~/.ssh`, `~/.config`): for browsing and
   * reading media, never needed there. Import keeps them (SpiritStream's data sits in one).
   */
  noHidden?: boolean;
}

/**
 * Resolves an existing host path a client gives to read from: absolute, no `..` segment, and
 * (after following symlinks) inside one of the allowed roots, so a command cannot read elsewhere.
 * Paths to write to go through `resolveExportFile` (@spiritstream/kit) instead.
 */
export async function resolveAllowedPath(
  input: string,
  options: AllowedPathOptions,
): Promise<string> {
  const { field, roots } = options;
  const invalid = (rule: string) =>
    new AppError("invalid_argument", `Invalid argument "${field}": ${rule}`);
  if (input.includes("\u0000")) throw invalid("must not contain NUL characters");
  if (!input.startsWith("/")) throw invalid("must be an absolute path");
  if (input.split(/[\\/]/).includes("..")) throw invalid('must not contain ".." segments');
  const trimmed = input.replace(/\/+$/, "") || "/";
  let resolved: string;
  try {
    resolved = await Deno.realPath(trimmed);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new AppError(
        "not_found",
        `Invalid argument "${field}": no such file or folder`,
      );
    }
    throw error;
  }
  let hidden = false;
  for (const root of roots) {
    const real = await Deno.realPath(root).catch(() => null);
    if (real && (resolved === real || resolved.startsWith(real === "/" ? "/" : `${real}/`))) {
      const below = resolved.slice(real.length).split("/");
      if (!options.noHidden || !below.some((part) => part.startsWith("."))) return resolved;
      hidden = true;
    }
  }
  if (hidden) throw invalid("must not be inside a hidden folder");
  throw invalid("must be inside the data folder or the home folder");
}
