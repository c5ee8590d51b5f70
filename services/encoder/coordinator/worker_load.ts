import type { StreamState } from "@spiritstream/contracts";

/** What one encoder worker runs: the numbers its `/metrics` reports and the autoscaler uses. */
export interface WorkerLoad {
  /** Tenants whose lease this worker holds (each: one ingest and its groups). */
  streams: number;
  /** Of those, ingests with a publisher connected. */
  streamsLive: number;
  /** Output groups running (any state but idle). */
  groups: number;
  /** Targets of those groups, switched off ones aside. */
  targets: number;
  /** Of those, targets the platform has accepted (live). */
  targetsConnected: number;
  /** SPIRITSTREAM_WORKER_MAX_TENANTS; null: no limit. */
  tenantLimit: number | null;
}

/** Sums the stream states of the tenants one worker owns. */
export function workerLoad(states: readonly StreamState[], tenantLimit: number | null): WorkerLoad {
  const load: WorkerLoad = {
    streams: states.length,
    streamsLive: 0,
    groups: 0,
    targets: 0,
    targetsConnected: 0,
    tenantLimit,
  };
  for (const state of states) {
    if (state.ingest.state === "live") load.streamsLive++;
    for (const group of state.groups) {
      if (group.state === "idle") continue;
      load.groups++;
      for (const target of group.targets) {
        if (target.state === "disabled") continue;
        load.targets++;
        if (target.state === "live") load.targetsConnected++;
      }
    }
  }
  return load;
}
