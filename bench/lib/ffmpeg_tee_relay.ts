import { requireBinary, stopProcess } from "@spiritstream/testing";

/** A bare `ffmpeg -listen 1 … -c copy -f tee` relay (the peer every relay is compared with). */
export interface FfmpegTeeRelay {
  readonly pid: number;
  /** The exact argument list (for BENCHMARKS.md). */
  readonly args: string[];
  readonly exited: Promise<Deno.CommandStatus>;
  /** Resolves once the listening socket exists (checked in /proc/net/tcp: never by connecting,
   * which a `-listen 1` FFmpeg would take as its one publisher). */
  listening(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Arguments of the relay: tuned probing, as the feasibility notes recommend for a fair peer. */
export function teeRelayArgs(listenUrl: string, targets: string[]): string[] {
  return [
    ...["-hide_banner", "-nostdin", "-loglevel", "error"],
    ...["-analyzeduration", "500000", "-probesize", "100000"],
    ...["-listen", "1", "-i", listenUrl, "-map", "0", "-c", "copy", "-f", "tee"],
    targets.map((url) => `[f=flv:onfail=ignore]${url}`).join("|"),
  ];
}

/** Starts the relay listening on `listenUrl` (rtmp://127.0.0.1:<port>/live/<key>). */
export function startFfmpegTeeRelay(listenUrl: string, targets: string[]): FfmpegTeeRelay {
  const args = teeRelayArgs(listenUrl, targets);
  const child = new Deno.Command(requireBinary("ffmpeg"), {
    args,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const port = Number(new URL(listenUrl.replace(/^rtmp/, "http")).port);
  let done = false;
  const exited = child.status.then((status) => {
    done = true;
    return status;
  });
  return {
    pid: child.pid,
    args,
    exited,
    async listening(timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        if (done) throw new Error("The FFmpeg relay exited before listening");
        if (await isListening(port)) return;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      throw new Error(`The FFmpeg relay did not listen on ${port} within ${timeoutMs} ms`);
    },
    async stop() {
      if (done) return;
      await stopProcess(child, { signal: "SIGKILL" });
    },
  };
}

/** Whether some socket listens on 127.0.0.1:`port` (state 0A in /proc/net/tcp). */
export async function isListening(port: number): Promise<boolean> {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const table = await Deno.readTextFile("/proc/net/tcp");
  return table.split("\n").some((line) => {
    const cols = line.trim().split(/\s+/);
    return cols[1]?.endsWith(`:${hex}`) && cols[3] === "0A";
  });
}
