import assert from "node:assert/strict";
import { freePort, waitFor } from "@spiritstream/testing";
import { goLive } from "./go_live.ts";

/** Options for {@linkcode exerciseDesktop}. */
export interface ExerciseDesktopOptions {
  /** Extra environment (e.g. an empty DENO_DIR). */
  env?: Record<string, string>;
}

/**
 * Runs a desktop build (`argv`) twice from an empty directory with one temp data dir: cold start
 * to /health, the dashboard at /, get and save settings and a go-live to an nginx-rtmp platform,
 * then the saved settings after a restart.
 */
export async function exerciseDesktop(
  argv: string[],
  options: ExerciseDesktopOptions = {},
): Promise<void> {
  const cwd = await Deno.makeTempDir({ prefix: "spiritstream_desktop_" });
  const dataDir = `${cwd}/data`;
  try {
    for (const round of ["first", "second"] as const) {
      const port = freePort();
      const base = `http://127.0.0.1:${port}`;
      const child = new Deno.Command(argv[0]!, {
        args: argv.slice(1),
        cwd,
        env: {
          ...options.env,
          SPIRITSTREAM_DATA_DIR: dataDir,
          SPIRITSTREAM_PORT: String(port),
          SPIRITSTREAM_LOG_LEVEL: "warn",
        },
        stdin: "null",
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const stderr = new Response(child.stderr).text();
      try {
        await waitFor(async () => (await fetch(`${base}/health`)).ok, {
          timeoutMs: 60_000,
          intervalMs: 200,
          what: `${round} start to answer /health`,
        });
        const page = await fetch(`${base}/`);
        assert.match(await page.text(), /<div id="app">/, "the dashboard is served at /");
        const current = await invoke(base, "get_settings", {});
        assert.equal(current.ok, true, JSON.stringify(current));
        if (round === "first") {
          const saved = await invoke(base, "save_settings", {
            settings: { ...current.data, logRetentionDays: 11 },
          });
          assert.equal(saved.ok, true, JSON.stringify(saved));
          await goLive(async (command, args) => {
            const response = await post(base, command, args);
            return { status: response.status, body: await response.json() };
          });
        } else {
          assert.equal(current.data.logRetentionDays, 11, "settings kept across the restart");
        }
      } finally {
        child.kill("SIGTERM");
        const status = await child.status;
        const log = await stderr;
        assert.ok(status.success || status.signal === "SIGTERM", `clean exit: ${log.slice(-500)}`);
      }
    }
    assert.ok((await Deno.stat(`${dataDir}/profiles.db`)).isFile, "SQLite in the data dir");
  } finally {
    await Deno.remove(cwd, { recursive: true });
  }
}

async function invoke(base: string, command: string, args: unknown) {
  return await (await post(base, command, args)).json();
}

function post(base: string, command: string, args: unknown): Promise<Response> {
  return fetch(`${base}/api/invoke/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  });
}
