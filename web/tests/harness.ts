import assert from "node:assert/strict";
import { type BrowserContext, chromium, type ConsoleMessage, type Page } from "playwright-core";
import { freePort, requireBinary } from "@spiritstream/testing";

const ROOT = new URL("../../", import.meta.url).pathname;
const WEB = new URL("../", import.meta.url).pathname;

/** Where screenshots go (gitignored). */
export const SCREENSHOTS = `${ROOT}artifacts/screenshots`;
/** The two widths every screen is checked at. */
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

const decoder = new TextDecoder();

/** Builds web/dist once if it is missing (into a temp dir first, so parallel tests never see half a build). */
export async function ensureBuilt(): Promise<void> {
  if (await exists(`${WEB}dist/index.html`)) return;
  const tmp = `${WEB}dist.tmp-${crypto.randomUUID()}`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "npm:vite@8.3.8", "build", "--outDir", tmp, "--emptyOutDir"],
    cwd: WEB,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw new Error(`The dashboard build failed: ${decoder.decode(out.stderr)}`);
  }
  try {
    await Deno.rename(tmp, `${WEB}dist`);
  } catch {
    // another test built it first
    await Deno.remove(tmp, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A running desktop host (`main.ts`) in a temp data dir. */
export interface Desktop {
  base: string;
  port: number;
  dataDir: string;
  /** The tail of its output, for assertion messages. */
  output(): string;
  /** Stops the host, keeping its data dir and port (for restart tests). */
  kill(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the real desktop host on a free port and waits for `/health`. */
export async function startDesktop(env: Record<string, string> = {}): Promise<Desktop> {
  const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-web-" });
  // A test that must know the port before the host starts (a redirect URL) names it.
  const port = env.SPIRITSTREAM_PORT ? Number(env.SPIRITSTREAM_PORT) : freePort();
  const base = `http://127.0.0.1:${port}`;
  let tail = "";
  let running: { child: Deno.ChildProcess; done: Promise<unknown> } | null = null;

  async function spawn(): Promise<void> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${ROOT}main.ts`],
      cwd: ROOT,
      env: {
        SPIRITSTREAM_DATA_DIR: dataDir,
        SPIRITSTREAM_PORT: String(port),
        SPIRITSTREAM_LOG_LEVEL: "info",
        // A browser test loads many assets and commands from one address in a short time.
        SPIRITSTREAM_RATE_LIMIT: "100000",
        ...env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) tail = (tail + decoder.decode(chunk)).slice(-8000);
    };
    let exited = false;
    const done = Promise.all([child.status, drain(child.stdout), drain(child.stderr)]);
    void child.status.then(() => (exited = true));
    running = { child, done };
    const deadline = Date.now() + 30_000;
    while (!(await healthy(base))) {
      if (exited || Date.now() > deadline) {
        await kill();
        throw new Error(
          `The desktop host did not start (${
            exited ? "it exited" : "no /health in 30 s"
          }): ${tail}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function kill(): Promise<void> {
    if (!running) return;
    try {
      running.child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await running.done;
    running = null;
  }

  try {
    await spawn();
  } catch (error) {
    await Deno.remove(dataDir, { recursive: true });
    throw error;
  }
  return {
    base,
    port,
    dataDir,
    output: () => tail,
    kill,
    restart: spawn,
    async stop() {
      await kill();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

async function healthy(base: string): Promise<boolean> {
  try {
    const res = await fetch(`${base}/health`);
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** A TCP proxy in front of the host: lets a test cut the browser's connections (a network drop). */
export interface DropProxy {
  port: number;
  /** Closes every connection and refuses new ones until {@linkcode DropProxy.restore}. */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** Starts a loopback TCP proxy to `targetPort`. */
export function startDropProxy(targetPort: number): DropProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const pipes = new Set<Promise<unknown>>();
  let blocked = false;
  function forget(conn: Deno.Conn): void {
    open.delete(conn);
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
  async function serve(client: Deno.Conn): Promise<void> {
    if (blocked) return forget(client);
    open.add(client);
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
    } catch {
      return forget(client);
    }
    open.add(upstream);
    await Promise.allSettled([
      client.readable.pipeTo(upstream.writable),
      upstream.readable.pipeTo(client.writable),
    ]);
    forget(client);
    forget(upstream);
  }
  const accepting = (async () => {
    for await (const conn of listener) {
      const pipe = serve(conn);
      pipes.add(pipe);
      void pipe.finally(() => pipes.delete(pipe));
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    cut() {
      blocked = true;
      for (const conn of [...open]) forget(conn);
    },
    restore() {
      blocked = false;
    },
    async close() {
      listener.close();
      for (const conn of [...open]) forget(conn);
      await accepting;
      await Promise.allSettled([...pipes]);
    },
  };
}

/** Calls a command the way the dashboard does; returns the envelope and status. */
export async function invoke(
  base: string,
  command: string,
  args: unknown = {},
): Promise<{ status: number; ok: boolean; data: unknown; error: string | null }> {
  const res = await fetch(`${base}/api/invoke/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  return { status: res.status, ...body };
}

/**
 * Two output groups with real-looking targets, so screens have something to show. Its ingest
 * listens on a free loopback port: the dashboard opens it, and hosts run side by side.
 */
export function demoProfile(name: string): unknown {
  const copy = { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" };
  return {
    id: crypto.randomUUID(),
    name,
    input: { type: "rtmp", bindAddress: "127.0.0.1", port: freePort(), application: "live" },
    outputGroups: [{
      id: "default",
      name: "Passthrough",
      isDefault: true,
      video: copy,
      audio: { codec: "copy", bitrate: "0k", channels: 2, sampleRate: 48000 },
      streamTargets: [
        {
          id: "yt",
          service: "YouTube - RTMPS",
          name: "",
          url: "rtmps://a.rtmps.youtube.com:443/live2",
          streamKey: "yt-key-1",
        },
        {
          id: "tw",
          service: "Twitch",
          name: "Main channel",
          url: "rtmp://live.twitch.tv/app",
          streamKey: "tw-key-2",
        },
      ],
    }, {
      id: "vertical",
      name: "Vertical",
      video: { codec: "libx264", width: 1080, height: 1920, fps: 30, bitrate: "6000k" },
      audio: { codec: "aac", bitrate: "160k", channels: 2, sampleRate: 48000 },
      streamTargets: [
        {
          id: "tt",
          service: "TikTok Live",
          name: "",
          url: "rtmp://push.tiktok.example/live",
          streamKey: "tt-key-3",
        },
      ],
    }],
  };
}

/** Splits a full RTMP URL into the server URL and the stream key after its last slash. */
export function splitUrl(full: string): { url: string; streamKey: string } {
  const cut = full.lastIndexOf("/");
  return { url: full.slice(0, cut), streamKey: full.slice(cut + 1) };
}

/** A stream target as a profile stores it. */
export interface TestTarget {
  id: string;
  service: string;
  name: string;
  url: string;
  streamKey: string;
}

/**
 * A profile with one passthrough (copy) output group holding `targets`; its ingest listens on
 * 127.0.0.1:`ingestPort`, app `live`, with key `ingestKey` ("obs" unless given; null for none).
 */
export function passthroughProfile(options: {
  id: string;
  name: string;
  ingestPort: number;
  targets: TestTarget[];
  ingestKey?: string | null;
}): Record<string, unknown> {
  const { id, name, ingestPort, targets, ingestKey = "obs" } = options;
  return {
    id,
    name,
    input: {
      type: "rtmp",
      bindAddress: "127.0.0.1",
      port: ingestPort,
      application: "live",
      ...(ingestKey === null ? {} : { streamKey: ingestKey }),
    },
    outputGroups: [{
      id: "default",
      name: "Passthrough",
      isDefault: true,
      video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
      audio: { codec: "copy", bitrate: "0k", channels: 2, sampleRate: 48000 },
      streamTargets: targets,
    }],
  };
}

/** The URL OBS (a test publisher) pushes to for a {@linkcode passthroughProfile} ingest. */
export function ingestUrl(ingestPort: number, ingestKey = "obs"): string {
  return `rtmp://127.0.0.1:${ingestPort}/live/${ingestKey}`;
}

/** Saves `profile` through `save_profile` and fails the test with the server's error if refused. */
export async function saveProfile(base: string, profile: unknown): Promise<void> {
  const saved = await invoke(base, "save_profile", { profile });
  assert.equal(saved.ok, true, saved.error ?? "");
}

/** A fresh Chromium with its own temp profile. */
export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches the system Chromium headless, with a fresh user-data-dir. */
export async function launchBrowser(): Promise<TestBrowser> {
  const executablePath = requireBinary("chromium");
  const userDataDir = await Deno.makeTempDir({ prefix: "spiritstream-chromium-" });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    viewport: DESKTOP,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--disable-sync",
      "--disable-quic",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await Deno.remove(userDataDir, { recursive: true });
    },
  };
}

/**
 * Collects console errors and uncaught exceptions. The one allowed kind: Chromium's own
 * "Failed to load resource … 400" line for a command the server does not implement yet.
 */
export function watchConsole(page: Page): { errors(): Promise<string[]> } {
  const seen: { text: string; url: string }[] = [];
  const notImplemented = new Set<string>();
  const pending: Promise<void>[] = [];
  page.on("response", (res) => {
    if (res.status() !== 400 || !res.url().includes("/api/invoke/")) return;
    pending.push(
      res.json().then((body) => {
        if (/^Not implemented yet/.test(String(body?.error))) notImplemented.add(res.url());
      }).catch(() => {}),
    );
  });
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error") seen.push({ text: msg.text(), url: msg.location().url });
  });
  page.on("pageerror", (error) => seen.push({ text: `Uncaught: ${error.message}`, url: "" }));
  return {
    errors: async () => {
      await Promise.all(pending);
      return seen.filter((e) =>
        !(e.text.startsWith("Failed to load resource") && notImplemented.has(e.url))
      )
        .map((e) => `${e.text} ${e.url}`.trim());
    },
  };
}

/** Saves a full-page screenshot under artifacts/screenshots. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await Deno.mkdir(SCREENSHOTS, { recursive: true });
  // Sticky bars would otherwise be drawn where the page happens to be scrolled.
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

/** Screenshots `<name>-desktop` and `<name>-phone`, leaving the page at the desktop size. */
export async function screenshots(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}

/** Opens the dashboard and picks `profile` (when the picker shows: one profile needs none). */
export async function openDashboard(page: Page, base: string, profile: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
  const picker = page.getByLabel("Profile");
  if (await picker.count() > 0) await picker.selectOption(profile);
}
