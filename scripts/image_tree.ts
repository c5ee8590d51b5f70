// deno-lint-ignore-file no-console
/**
 * The runtime tree of each image: what the Dockerfile copies into a service's image. Only the
 * entry's import graph (`deno info`), the workspace's deno.json files and deno.lock, then
 * `deno install --entrypoint` puts just that graph's npm packages into node_modules.
 *
 *   deno run -A scripts/image_tree.ts                      # bytes per image (a table)
 *   deno run -A scripts/image_tree.ts assemble ENTRY DIR   # the tree (Dockerfile build stage)
 * @module
 */
import { dirname, join, relative } from "node:path";
import { z } from "zod";

/** The five images: their Dockerfile target and the entry its CMD runs. */
export const IMAGES = [
  { target: "gateway", entry: "gateway/main.ts" },
  { target: "profiles", entry: "services/profiles/main.ts" },
  { target: "encoder", entry: "services/encoder/main.ts" },
  { target: "events", entry: "services/events/main.ts" },
  { target: "auth", entry: "services/auth/main.ts" },
] as const;

/** What must never be in a runtime image. */
export const DEV_ONLY = {
  packages: ["vite", "playwright-core", "yaml", "kubernetes-models", "oidc-provider"],
  paths: [/_test\.tsx?$/, /(^|\/)testdata\//, /^bench\//, /^e2e\//, /^packages\/testing\//],
};

/** Where the tree keeps its npm packages (the image sets DENO_DIR to it). */
export const DENO_DIR = ".deno";

const Info = z.object({
  modules: z.array(z.object({ specifier: z.string() })),
});

const Workspace = z.object({ workspace: z.array(z.string()) });

/** Repository-relative files of the entry's import graph, plus the config Deno needs. */
export async function graphFiles(root: string, entry: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`deno info ${entry} failed`);
  const info = Info.parse(JSON.parse(new TextDecoder().decode(output.stdout)));
  const files = info.modules.map((m) => m.specifier).filter((s) => s.startsWith("file:"))
    .map((s) => relative(root, decodeURIComponent(new URL(s).pathname)));
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  // Only the workspace members the graph enters (pruneConfig drops the others from the list).
  const members = Workspace.parse(config).workspace.map((m) => join(m, "deno.json"))
    .filter((member) => files.some((file) => file.startsWith(dirname(member) + "/")));
  return [...new Set(["deno.json", "deno.lock", ...members, ...files])].sort();
}

/** Copies the entry's runtime tree into `out`: its files, and in `out/.deno` only its npm packages. */
export async function assembleImageTree(
  root: string,
  entry: string,
  out: string,
  cacheDir: string,
): Promise<void> {
  for (const file of await graphFiles(root, entry)) {
    await Deno.mkdir(join(out, dirname(file)), { recursive: true });
    await Deno.copyFile(join(root, file), join(out, file));
  }
  // The image keeps only the graph's npm packages, in its own DENO_DIR: deno.json and deno.lock
  // lose every package the entry never loads (Deno installs all of the lock file otherwise).
  const packages = await npmPackages(root, entry);
  await pruneConfig(out, new Set(packages.map((p) => p.id)));
  const cache = await new Deno.Command(Deno.execPath(), {
    args: ["cache", "--frozen", entry],
    cwd: out,
    env: { DENO_DIR: cacheDir },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!cache.success) {
    throw new Error(`deno cache ${entry}: ${new TextDecoder().decode(cache.stderr)}`);
  }
  const registry = "npm/registry.npmjs.org";
  for (const pkg of packages) {
    const from = join(cacheDir, registry, pkg.name);
    const to = join(out, DENO_DIR, registry, pkg.name);
    await Deno.mkdir(to, { recursive: true });
    await copyTree(join(from, pkg.version), join(to, pkg.version));
    await Deno.copyFile(join(from, "registry.json"), join(to, "registry.json")).catch(() => {});
  }
}

const NpmInfo = z.object({
  modules: z.array(z.object({ npmPackage: z.string().optional() })),
  npmPackages: z.record(
    z.string(),
    z.object({ name: z.string(), version: z.string(), dependencies: z.array(z.string()) }),
  ),
});

/** The npm packages the entry's graph reaches (transitively), as name and version. */
export async function npmPackages(
  root: string,
  entry: string,
): Promise<{ id: string; name: string; version: string }[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root,
    stderr: "inherit",
  }).output();
  const info = NpmInfo.parse(JSON.parse(new TextDecoder().decode(output.stdout)));
  const reached = new Set<string>();
  const queue = info.modules.flatMap((m) => m.npmPackage ? [m.npmPackage] : []);
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    queue.push(...info.npmPackages[id]?.dependencies ?? []);
  }
  return [...reached].map((id) => ({ id, ...info.npmPackages[id]! }));
}

const Lock = z.object({
  version: z.string(),
  specifiers: z.record(z.string(), z.string()),
  npm: z.record(z.string(), z.unknown()),
  workspace: z.object({ dependencies: z.array(z.string()).optional() }).loose(),
}).loose();

/** Drops npm imports and lock entries outside `reached` (lock ids such as `pino@10.4.0`). */
async function pruneConfig(out: string, reached: Set<string>): Promise<void> {
  const packageOf = (specifier: string) => specifier.replace(/^npm:\/?/, "").replace(/\/$/, "");
  const used = (specifier: string) =>
    !specifier.startsWith("npm:") ||
    [...reached].some((id) =>
      id === packageOf(specifier) || id.startsWith(`${packageOf(specifier)}_`)
    );
  const configPath = join(out, "deno.json");
  const config = JSON.parse(await Deno.readTextFile(configPath));
  const imports = Object.fromEntries(
    Object.entries(config.imports as Record<string, string>).filter(([, to]) => used(to)),
  );
  const workspace: string[] = [];
  for (const member of Workspace.parse(config).workspace) {
    if (await Deno.stat(join(out, member, "deno.json")).then(() => true, () => false)) {
      workspace.push(member);
    }
  }
  await Deno.writeTextFile(
    configPath,
    JSON.stringify({ ...config, workspace, imports, nodeModulesDir: "none" }, null, 2),
  );
  const lockPath = join(out, "deno.lock");
  const lock = Lock.parse(JSON.parse(await Deno.readTextFile(lockPath)));
  const name = (specifier: string) => packageOf(specifier).replace(/@[^@]+$/, "");
  const pruned = {
    ...lock,
    specifiers: Object.fromEntries(
      Object.entries(lock.specifiers).filter(([spec, version]) =>
        !spec.startsWith("npm:") || reached.has(`${name(spec)}@${version}`)
      ),
    ),
    npm: Object.fromEntries(Object.entries(lock.npm).filter(([id]) => reached.has(id))),
    workspace: {
      ...lock.workspace,
      dependencies: lock.workspace.dependencies?.filter(used),
    },
  };
  await Deno.writeTextFile(lockPath, JSON.stringify(pruned, null, 2) + "\n");
}

async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const item of Deno.readDir(from)) {
    const source = join(from, item.name);
    const target = join(to, item.name);
    if (item.isDirectory) await copyTree(source, target);
    else if (item.isSymlink) await Deno.symlink(await Deno.readLink(source), target);
    else await Deno.copyFile(source, target);
  }
}

/** Every file under `dir` (relative paths, symlinks not followed) and their bytes, each inode once. */
export async function treeFiles(dir: string): Promise<{ files: string[]; bytes: number }> {
  const files: string[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  async function walk(path: string): Promise<void> {
    for await (const item of Deno.readDir(path)) {
      const full = join(path, item.name);
      if (item.isDirectory) await walk(full);
      else {
        files.push(relative(dir, full));
        const stat = await Deno.lstat(full);
        const inode = `${stat.dev}:${stat.ino}`;
        if (!seen.has(inode)) bytes += stat.size;
        seen.add(inode);
      }
    }
  }
  await walk(dir);
  return { files: files.sort(), bytes };
}

const NPM_FILE = /^\.deno\/npm\/[^/]+\/([^/]+)\/([^/]+)\//;

/** Lines naming every dev-only package or test file found in a tree's file list. */
export function devOnlyFiles(files: string[]): string[] {
  const packages = new Set<string>();
  const problems: string[] = [];
  for (const file of files) {
    const npm = NPM_FILE.exec(file);
    if (npm) {
      const name = npm[1]!.startsWith("@") ? `${npm[1]}/${npm[2]}` : npm[1]!;
      if (DEV_ONLY.packages.includes(name)) packages.add(name);
      continue;
    }
    if (file.startsWith(`${DENO_DIR}/`)) continue;
    if (DEV_ONLY.paths.some((rule) => rule.test(file))) problems.push(`test/dev file ${file}`);
  }
  return [...[...packages].map((name) => `dev package ${name}`), ...problems];
}

async function main(args: string[]): Promise<void> {
  const root = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");
  if (args[0] === "assemble" && args[1] && args[2]) {
    const cacheDir = Deno.env.get("DENO_DIR") ??
      join(Deno.env.get("HOME") ?? "/tmp", ".cache/deno");
    await assembleImageTree(root, args[1], args[2], cacheDir);
    return;
  }
  const cacheDir = Deno.env.get("DENO_DIR") ?? await Deno.makeTempDir({ prefix: "image_cache_" });
  const lines = ["| image | files | npm packages | MB |", "| --- | ---: | ---: | ---: |"];
  for (const image of IMAGES) {
    const out = await Deno.makeTempDir({ prefix: `image_tree_${image.target}_` });
    try {
      await assembleImageTree(root, image.entry, out, cacheDir);
      const { files, bytes } = await treeFiles(out);
      const packages = new Set(
        files.map((f) => NPM_FILE.exec(f)?.slice(1, 3).join("/")).filter(Boolean),
      );
      const problems = devOnlyFiles(files);
      if (problems.length > 0) throw new Error(`${image.target}: ${problems.join(", ")}`);
      lines.push(
        `| ${image.target} | ${files.length} | ${packages.size} | ${(bytes / 1e6).toFixed(1)} |`,
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  }
  console.log(lines.join("\n"));
}

if (import.meta.main) await main(Deno.args);
