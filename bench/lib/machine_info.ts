/** The machine and tool versions a benchmark run happened on. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  deno: string;
  ffmpeg: string;
  nginx: string;
  natsServer: string;
  postgres: string;
  /** 1-minute load average when the run started (other work on the machine). */
  loadAverage: string;
}

/** Reads /proc and asks each tool for its version. */
export async function machineInfo(): Promise<MachineInfo> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const osRelease = await Deno.readTextFile("/etc/os-release").catch(() => "");
  const kb = Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  return {
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    cores: (cpuinfo.match(/^processor\s*:/gm) ?? []).length || navigator.hardwareConcurrency,
    memoryGiB: Math.round((kb / 1024 / 1024) * 10) / 10,
    kernel: Deno.osRelease(),
    os: /PRETTY_NAME="([^"]+)"/.exec(osRelease)?.[1] ?? Deno.build.os,
    deno: Deno.version.deno,
    ffmpeg: firstMatch(await version("ffmpeg", ["-version"]), /ffmpeg version (\S+)/),
    nginx: firstMatch(await version("nginx", ["-v"]), /nginx\/(\S+)/),
    natsServer: firstMatch(await version("nats-server", ["--version"]), /v?(\d+\.\d+\.\d+)/),
    postgres: firstMatch(await version(await pgBinary("postgres"), ["--version"]), /(\d+\.\d+)/),
    loadAverage: (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" "),
  };
}

async function version(binary: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(binary, { args, stdin: "null" }).output();
    const decoder = new TextDecoder();
    return decoder.decode(out.stdout) + decoder.decode(out.stderr);
  } catch {
    return "";
  }
}

function firstMatch(text: string, pattern: RegExp): string {
  return pattern.exec(text)?.[1] ?? "not found";
}

async function pgBinary(name: string): Promise<string> {
  try {
    const versions: string[] = [];
    for await (const entry of Deno.readDir("/usr/lib/postgresql")) versions.push(entry.name);
    versions.sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return `/usr/lib/postgresql/${versions[0]}/bin/${name}`;
  } catch {
    // not the Debian layout
  }
  return name;
}
