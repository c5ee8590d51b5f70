import { waitFor } from "@spiritstream/testing";

/** An ingest in its own process (testdata/ingest_host.ts), measured from outside. */
export interface IngestProcess {
  readonly port: number;
  readonly pid: number;
  /** Every JSON line it logged so far, parsed. */
  readonly lines: Record<string, unknown>[];
  /** Connections waiting to publish at its last status line. */
  readonly pending: number;
  /** Its resident set now and at its peak (VmRSS, VmHWM), in bytes. */
  memory(): Promise<{ rss: number; peak: number }>;
  /** Resolves with performance.now() of the next "RTMP publisher is live" line after `since`. */
  liveAfter(since: number): Promise<number>;
  stop(): Promise<void>;
}

const HOST = new URL("./ingest_host.ts", import.meta.url).pathname;

/** Starts the ingest host with `options` (merged into the startRtmpServer options). */
export async function startIngestProcess(options: Record<string, unknown>): Promise<IngestProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", HOST, JSON.stringify(options)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  const lives: number[] = [];
  let pending = 0;
  const reading = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const part of parts) {
        const line = JSON.parse(part) as Record<string, unknown>;
        lines.push(line);
        if (line.msg === "ingest status") pending = line.pending as number;
        if (line.msg === "RTMP publisher is live") lives.push(performance.now());
      }
    }
  })();
  const listening = await waitFor(() => lines.find((l) => l.msg === "ingest listening"), {
    what: "the ingest process listening",
    timeoutMs: 30_000,
  });
  return {
    port: listening.port as number,
    pid: child.pid,
    lines,
    get pending() {
      return pending;
    },
    memory: () => readMemory(child.pid),
    liveAfter: (since) =>
      waitFor(() => lives.find((t) => t >= since), {
        what: "the publisher live",
        timeoutMs: 30_000,
      }),
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already exited
      }
      await child.status;
      await reading;
    },
  };
}

async function readMemory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rss: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
}
