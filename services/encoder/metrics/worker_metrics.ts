import { Gauge, Registry } from "prom-client";
import type { WorkerLoad } from "../coordinator/worker_load.ts";

/** Every series of {@linkcode workerMetrics}: its help text and the load field it reports. */
export const WORKER_SERIES = {
  spiritstream_encoder_streams: [
    "Tenants' streams (one ingest and its groups each) whose lease this worker holds",
    "streams",
  ],
  spiritstream_encoder_streams_live: [
    "Of those streams, ingests with a publisher connected",
    "streamsLive",
  ],
  spiritstream_encoder_groups: ["Output groups this worker runs", "groups"],
  spiritstream_encoder_targets: ["Targets of those groups (switched-off ones aside)", "targets"],
  spiritstream_encoder_targets_connected: [
    "Of those targets, the ones live at their platform",
    "targetsConnected",
  ],
  spiritstream_encoder_tenant_limit: [
    "SPIRITSTREAM_WORKER_MAX_TENANTS: streams this worker takes at most (absent: no limit)",
    "tenantLimit",
  ],
} as const satisfies Record<string, readonly [string, keyof WorkerLoad]>;

/**
 * The Prometheus text of one encoder worker's load, read fresh from `load` at each scrape (the
 * HorizontalPodAutoscaler scales on `spiritstream_encoder_streams` through prometheus-adapter).
 */
export function workerMetrics(load: () => WorkerLoad): () => Promise<string> {
  const registry = new Registry();
  let current: WorkerLoad | null = null;
  // The limit is fixed for the process: without one the series is absent, not a 0.
  const limited = load().tenantLimit !== null;
  for (const [name, [help, field]] of Object.entries(WORKER_SERIES)) {
    if (field === "tenantLimit" && !limited) continue;
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const value = current?.[field];
        if (typeof value === "number") this.set(value);
      },
    });
  }
  return async () => {
    current = load();
    try {
      return await registry.metrics();
    } finally {
      current = null;
    }
  };
}
