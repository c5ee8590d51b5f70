/** What {@linkcode runCommand} saw: exit code, both streams as text, and whether it was killed. */
export interface CommandResult {
  code: number;
  success: boolean;
  stdout: string;
  stderr: string;
  /** True when the process outlived `timeoutMs` and was killed with SIGKILL. */
  timedOut: boolean;
}

/** Options for {@linkcode runCommand}. */
export interface RunCommandOptions {
  /** Kill the process after this long. @default 10000 */
  timeoutMs?: number;
}

/**
 * Runs a program to completion with stdin closed and a hard timeout. Spawn failures (missing file,
 * no permission) are thrown as Deno errors so callers can name the cause.
 */
export async function runCommand(
  path: string,
  args: string[],
  options: RunCommandOptions = {},
): Promise<CommandResult> {
  const { timeoutMs = 10_000 } = options;
  const child = new Deno.Command(path, { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // it exited between the timer firing and the kill; nothing to stop
    }
  }, timeoutMs);
  try {
    const output = await child.output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      success: output.success && !timedOut,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}
