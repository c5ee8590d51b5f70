// deno-lint-ignore-file no-console
/**
 * `deno task compile`: the desktop app as one executable (every service, the gateway and the
 * dashboard, from `deno compile --include web/dist`), written to dist/spiritstream.
 *
 * `deno compile` embeds "denort", a runtime it downloads from dl.deno.land. Where that host is
 * unreachable this task says so, names the DENORT_BIN fix and exits non-zero; it never leaves a
 * binary it has not seen run: the result must answer /health and serve the dashboard.
 *
 *   deno task compile                          # needs dl.deno.land, or:
 *   DENORT_BIN=/path/to/denort deno task compile
 *   deno task compile --out /tmp/spiritstream
 * @module
 */
import { ensureDashboard } from "./desktop/ensure_dashboard.ts";
import { smokeDesktop } from "./desktop/smoke_desktop.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");

/** How `deno compile` went. */
export type CompileOutcome =
  | { ok: true; executable: string }
  | { ok: false; denortUnavailable: boolean; output: string };

/** Runs `deno compile` on main.ts with the dashboard included. */
export async function compileDesktop(executable: string): Promise<CompileOutcome> {
  await ensureDashboard(ROOT);
  const compiled = await new Deno.Command(Deno.execPath(), {
    args: [
      ...["compile", "-A", "--no-check", "--include", "web/dist"],
      ...["--output", executable, "main.ts"],
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const output = new TextDecoder().decode(compiled.stdout) +
    new TextDecoder().decode(compiled.stderr);
  if (compiled.success) return { ok: true, executable };
  await removeLeftovers(executable);
  // It fails while "setting up base binary": fetching denort-<target>.zip from dl.deno.land.
  const denortUnavailable = /denort|dl\.deno\.land|base binary/i.test(output);
  return { ok: false, denortUnavailable, output };
}

/** A failed `deno compile` leaves `<executable>.tmp-<hex>` behind. */
async function removeLeftovers(executable: string): Promise<void> {
  const slash = executable.lastIndexOf("/");
  const dir = slash > 0 ? executable.slice(0, slash) : ".";
  const prefix = `${executable.slice(slash + 1)}.tmp-`;
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(prefix)) await Deno.remove(`${dir}/${entry.name}`).catch(() => {});
  }
}

const HINT = `deno compile could not get "denort", the runtime it embeds in every executable: it
downloads it from https://dl.deno.land, which this machine cannot reach.

  Fix: on a machine that can, download
    https://dl.deno.land/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip
  unzip it here, then run
    DENORT_BIN=/path/to/denort deno task compile
  (DENORT_BIN must be that denort, not the deno CLI.)

  Or build the portable desktop bundle instead, which needs no download:
    deno task bundle`;

if (import.meta.main) {
  const index = Deno.args.indexOf("--out");
  const executable = index >= 0 ? Deno.args[index + 1]! : `${ROOT}/dist/spiritstream`;
  await Deno.mkdir(executable.slice(0, executable.lastIndexOf("/")) || ".", { recursive: true });
  const outcome = await compileDesktop(executable);
  if (!outcome.ok) {
    console.error(outcome.denortUnavailable ? HINT : outcome.output.trim());
    const cause = outcome.output.split("\n").find((line) => /error sending request/.test(line));
    if (outcome.denortUnavailable && cause) console.error(`\n(${cause.trim()})`);
    Deno.exit(1);
  }
  const problem = await smokeDesktop([executable]);
  if (problem) {
    await Deno.remove(executable).catch(() => {});
    console.error(`The compiled executable does not run SpiritStream (removed it): ${problem}`);
    if (Deno.env.get("DENORT_BIN")) {
      console.error(
        "Is DENORT_BIN the denort runtime? The deno CLI in its place makes an executable that ignores the app.",
      );
    }
    Deno.exit(1);
  }
  const size = (await Deno.stat(executable)).size;
  console.log(
    `Compiled ${executable} (${
      (size / 1e6).toFixed(0)
    } MB): every service, the gateway and the dashboard.
It answered /health and served the dashboard. Run it: ${executable}`,
  );
}
