import { AppError } from "@spiritstream/contracts";

/** Options for {@linkcode resolveAllowedPath}. */
export interface AllowedPathOptions {
  /** The argument name for errors, e.g. `exportPath`. */
  field: string;
  /** Folders the path must be inside (the data folder and the home folder). */
  roots: readonly string[];
  /** True: the path itself must exist. False: its parent folder must. */
  mustExist: boolean;
}

/**
 * Resolves a host path given by a client: absolute, no `..` segment, and (after following
 * symlinks) inside one of the allowed roots, so a command cannot read or write elsewhere.
 */
export async function resolveAllowedPath(
  input: string,
  options: AllowedPathOptions,
): Promise<string> {
  const { field, roots, mustExist } = options;
  const invalid = (rule: string) =>
    new AppError("invalid_argument", `Invalid argument "${field}": ${rule}`);
  if (input.includes("\u0000")) throw invalid("must not contain NUL characters");
  if (!input.startsWith("/")) throw invalid("must be an absolute path");
  if (input.split(/[\\/]/).includes("..")) throw invalid('must not contain ".." segments');
  const trimmed = input.replace(/\/+$/, "") || "/";
  let resolved: string;
  try {
    if (mustExist) resolved = await Deno.realPath(trimmed);
    else {
      const slash = trimmed.lastIndexOf("/");
      const parent = await Deno.realPath(trimmed.slice(0, slash) || "/");
      resolved = `${parent === "/" ? "" : parent}/${trimmed.slice(slash + 1)}`;
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new AppError(
        "not_found",
        `Invalid argument "${field}": ${
          mustExist ? "no such file or folder" : "its folder does not exist"
        }`,
      );
    }
    throw error;
  }
  for (const root of roots) {
    const real = await Deno.realPath(root).catch(() => null);
    if (real && (resolved === real || resolved.startsWith(real === "/" ? "/" : `${real}/`))) {
      return resolved;
    }
  }
  throw invalid("must be inside the data folder or the home folder");
}
