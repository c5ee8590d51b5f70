/**
 * Stops a child process: `signal` (default SIGTERM), then SIGKILL if it is still running after
 * `graceMs`; resolves with its exit status. Safe to call on a process that already exited.
 */
export async function stopProcess(
  child: Deno.ChildProcess,
  options: { signal?: Deno.Signal; graceMs?: number } = {},
): Promise<Deno.CommandStatus> {
  const { signal = "SIGTERM", graceMs = 5_000 } = options;
  const kill = (sig: Deno.Signal) => {
    try {
      child.kill(sig);
    } catch {
      // already exited
    }
  };
  kill(signal);
  const timer = signal === "SIGKILL" ? undefined : setTimeout(() => kill("SIGKILL"), graceMs);
  try {
    return await child.status;
  } finally {
    clearTimeout(timer);
  }
}
