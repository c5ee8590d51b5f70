import { freePort, waitFor } from "@spiritstream/testing";

/**
 * Starts a desktop build (`argv`: the executable, or `deno run ... bundle.js`) in an empty
 * directory with a temp data dir, and checks it answers /health and serves the dashboard at /.
 * Returns null when it does, else what went wrong (with the tail of its output).
 */
export async function smokeDesktop(argv: string[]): Promise<string | null> {
  const cwd = await Deno.makeTempDir({ prefix: "spiritstream_smoke_" });
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    cwd,
    env: {
      SPIRITSTREAM_DATA_DIR: `${cwd}/data`,
      SPIRITSTREAM_PORT: String(port),
      SPIRITSTREAM_LOG_LEVEL: "warn",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  let exited = false;
  child.status.then(() => exited = true);
  let problem: string | null = null;
  try {
    const outcome = await waitFor(async () => {
      if (exited) return "exited";
      const health = await fetch(`${base}/health`).catch(() => null);
      await health?.body?.cancel();
      return health?.ok && "up";
    }, { timeoutMs: 30_000, intervalMs: 200, what: `${base}/health` });
    if (outcome === "exited") {
      problem = "it exited instead of serving /health";
    } else {
      const page = await fetch(`${base}/`);
      const html = await page.text();
      if (!html.includes('<div id="app">')) {
        problem = `/ does not serve the dashboard (HTTP ${page.status})`;
      }
    }
  } catch (error) {
    problem = (error as Error).message;
  } finally {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
  }
  const [stdout, stderr] = await output;
  await Deno.remove(cwd, { recursive: true });
  if (!problem) return null;
  const tail = `${stdout}\n${stderr}`.trim().split("\n").slice(-5).join("\n  ");
  return `${problem}\n  ${tail}`;
}
