// deno-lint-ignore-file no-console
/**
 * `deno task bundle`: the desktop app as one JavaScript file plus the dashboard, runnable by any
 * Deno 2 with no project, no node_modules and no network:
 *
 *   dist/spiritstream.js   every service, the gateway and their npm dependencies
 *   dist/web/              the dashboard build (main.ts finds it beside the bundle)
 *
 *   deno run -A --no-config dist/spiritstream.js
 *
 * It then starts the bundle once (empty directory, temp data dir) and fails unless it answers
 * /health and serves the dashboard. `--out <dir>` writes elsewhere.
 * @module
 */
import { ensureDashboard } from "./desktop/ensure_dashboard.ts";
import { smokeDesktop } from "./desktop/smoke_desktop.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");

/** Bundles main.ts and copies the dashboard next to it; returns the bundle's path. */
export async function bundleDesktop(outDir: string): Promise<string> {
  await ensureDashboard(ROOT);
  const bundle = `${outDir}/spiritstream.js`;
  await Deno.mkdir(outDir, { recursive: true });
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform", "deno", "-o", bundle, `${ROOT}/main.ts`],
    cwd: ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!built.success) throw new Error("deno bundle failed; see above");
  await Deno.remove(`${outDir}/web`, { recursive: true }).catch(() => {});
  await copyDir(`${ROOT}/web/dist`, `${outDir}/web`);
  return bundle;
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.isDirectory) await copyDir(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}

if (import.meta.main) {
  const index = Deno.args.indexOf("--out");
  const outDir = index >= 0 ? Deno.args[index + 1]! : `${ROOT}/dist`;
  const bundle = await bundleDesktop(outDir);
  const problem = await smokeDesktop([Deno.execPath(), "run", "-A", "--no-config", bundle]);
  if (problem) {
    console.error(`The bundle does not run: ${problem}`);
    Deno.exit(1);
  }
  const size = (await Deno.stat(bundle)).size;
  console.log(
    `Bundled ${bundle} (${(size / 1e6).toFixed(1)} MB) with the dashboard in ${outDir}/web.
It answered /health and served the dashboard. Run it with:
  deno run -A --no-config ${bundle}`,
  );
}
