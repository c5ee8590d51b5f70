import process from "node:process";
import { Counter, Gauge, type Registry } from "prom-client";

/**
 * The standard process metrics (CPU seconds, resident memory, heap, start time), read on each
 * scrape. prom-client's default collector is not used: its event-loop-lag monitor wakes the
 * process 100 times a second, which costs an idle host more CPU than everything else it does.
 */
export function registerProcessMetrics(registry: Registry, prefix: string): void {
  let cpuSeconds = 0;
  new Counter({
    name: `${prefix}process_cpu_seconds_total`,
    help: "Total user and system CPU time spent in seconds",
    registers: [registry],
    collect() {
      const usage = process.cpuUsage();
      const total = (usage.user + usage.system) / 1e6;
      if (total > cpuSeconds) this.inc(total - cpuSeconds);
      cpuSeconds = Math.max(cpuSeconds, total);
    },
  });
  const memory: [string, string, () => number][] = [
    ["resident_memory_bytes", "Resident memory size in bytes", () => Deno.memoryUsage().rss],
    ["heap_bytes", "JavaScript heap in use, in bytes", () => Deno.memoryUsage().heapUsed],
  ];
  for (const [name, help, read] of memory) {
    new Gauge({
      name: `${prefix}process_${name}`,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  }
  const startedAt = Math.round(Date.now() / 1000 - performance.now() / 1000);
  new Gauge({
    name: `${prefix}process_start_time_seconds`,
    help: "Start time of the process since the Unix epoch in seconds",
    registers: [registry],
  }).set(startedAt);
}
