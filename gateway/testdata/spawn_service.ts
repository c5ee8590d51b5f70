/** Runs a SpiritStream entry point (`gateway/main.ts`, `services/<name>/main.ts`) as a child process. */
import { stopProcess } from "@spiritstream/testing";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A running child; `output()` holds the tail of its stderr and stdout for failure messages. */
export interface SpawnedService {
  output(): string;
  stop(): Promise<void>;
}

/** Starts `deno run -A <entry>` from the repository root with SPIRITSTREAM_* variables. */
export function spawnService(entry: string, env: Record<string, string>): SpawnedService {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-check", entry],
    cwd: ROOT,
    env: { SPIRITSTREAM_LOG_LEVEL: "warn", SPIRITSTREAM_UI_ENABLED: "false", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let tail = "";
  async function collect(stream: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      tail = (tail + decoder.decode(chunk, { stream: true })).slice(-8_000);
    }
  }
  const reading = Promise.all([collect(child.stdout), collect(child.stderr)]);
  let stopped = false;
  return {
    output: () => tail,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopProcess(child);
      await reading;
    },
  };
}
