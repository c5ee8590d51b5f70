import { PROCESS_MARKER_ENV } from "../../ffmpeg/ffmpeg_process.ts";

/** PIDs of live (not zombie) processes whose environment carries the engine marker. */
export async function markedProcesses(marker: string): Promise<number[]> {
  const needle = `${PROCESS_MARKER_ENV}=${marker}`;
  const pids: number[] = [];
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const environ = await Deno.readTextFile(`/proc/${entry.name}/environ`);
      if (!environ.split("\0").includes(needle)) continue;
      const stat = await Deno.readTextFile(`/proc/${entry.name}/stat`);
      // A zombie is already dead, only not yet reaped by its new parent.
      if (stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z") pids.push(Number(entry.name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}
