// The far ends of SRT in tests: an FFmpeg caller standing in for OBS, an FFmpeg listener
// standing in for a platform. They are outside the engine (other machines, in real life), so
// their own command lines carry the test's SRT secrets.
import { requireBinary } from "@spiritstream/testing";

/** An external test process. */
export interface SrtPeer {
  /** PIDs it is running now (the current FFmpeg). */
  pids(): number[];
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: a caller that went silent without hanging up. */
  pause(): void;
}

/** FFmpeg pushing the clip as MPEG-TS to `url` (OBS's SRT output), re-spawned until stopped. */
export function srtPublisher(url: string, clip: string): SrtPeer {
  let child: Deno.ChildProcess | null = null;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      child = ffmpeg([
        ...["-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "mpegts", url],
      ]);
      await child.status;
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 300));
    }
  })();
  return {
    pids: () => (child ? [child.pid] : []),
    pause: () => child?.kill("SIGSTOP"),
    async stop() {
      stopped = true;
      kill(child, "SIGCONT");
      kill(child, "SIGTERM");
      await loop;
    },
  };
}

/**
 * FFmpeg listening at `url` (an srt:// listener URL) and writing what arrives to `output`, started
 * again whenever it exits: one FFmpeg serves a single connection, while a platform keeps listening
 * and takes a caller that reconnects (on a loaded machine our side may reconnect once).
 */
export function srtListener(url: string, output: string[]): SrtPeer {
  let child: Deno.ChildProcess = ffmpeg(["-i", url, "-c", "copy", ...output]);
  let stopped = false;
  const loop = (async () => {
    for (;;) {
      await child.status;
      if (stopped) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (stopped) return;
      child = ffmpeg(["-i", url, "-c", "copy", ...output]);
    }
  })();
  return {
    pids: () => [child.pid],
    pause: () => child.kill("SIGSTOP"),
    async stop() {
      stopped = true;
      kill(child, "SIGCONT");
      kill(child, "SIGTERM");
      const timer = setTimeout(() => kill(child, "SIGKILL"), 3000);
      await loop;
      clearTimeout(timer);
    },
  };
}

function ffmpeg(args: string[]): Deno.ChildProcess {
  return new Deno.Command(requireBinary("ffmpeg"), {
    args: ["-hide_banner", "-nostdin", "-loglevel", "error", ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

function kill(child: Deno.ChildProcess | null, signal: Deno.Signal): void {
  try {
    child?.kill(signal);
  } catch {
    // exited
  }
}
