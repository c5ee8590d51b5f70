import { ConfigError } from "@spiritstream/kit";

/** What only an encoder worker run alone over NATS reads from its environment. */
export interface WorkerConfig {
  /** SPIRITSTREAM_INGEST_LISTEN: the worker's one RTMP ingest for every tenant, or null. */
  ingestListen: { hostname: string; port: number } | null;
  /** SPIRITSTREAM_DRAIN_GRACE_MS: how long SIGTERM waits for tenants to be handed over. */
  drainGraceMs: number;
}

/** Parses the worker's settings; a bad value is a ConfigError naming the variable and the rule. */
export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  return {
    ingestListen: parseListen(env.SPIRITSTREAM_INGEST_LISTEN),
    drainGraceMs: parseGrace(env.SPIRITSTREAM_DRAIN_GRACE_MS),
  };
}

function parseListen(value: string | undefined): WorkerConfig["ingestListen"] {
  if (value === undefined || value === "") return null;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port >= 1 && port <= 65535)) {
    throw new ConfigError(
      "SPIRITSTREAM_INGEST_LISTEN",
      "must be host:port with a port from 1 to 65535 (e.g. 0.0.0.0:1935)",
    );
  }
  return { hostname: match[1]!.replace(/^\[|\]$/g, ""), port };
}

function parseGrace(value: string | undefined): number {
  if (value === undefined || value === "") return 20_000;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 300_000) {
    throw new ConfigError("SPIRITSTREAM_DRAIN_GRACE_MS", "must be an integer from 0 to 300000");
  }
  return ms;
}
