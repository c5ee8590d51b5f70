import { ConfigError } from "@spiritstream/kit";

/** What only an encoder worker run alone over NATS reads from its environment. */
export interface WorkerConfig {
  /** SPIRITSTREAM_INGEST_LISTEN: the worker's one RTMP ingest for every tenant, or null. */
  ingestListen: { hostname: string; port: number } | null;
  /** SPIRITSTREAM_INGEST_SRT_LISTEN: the worker's one SRT listener for every tenant, or null. */
  ingestSrtListen: { hostname: string; port: number } | null;
  /** SPIRITSTREAM_DRAIN_GRACE_MS: how long SIGTERM waits for tenants to be handed over. */
  drainGraceMs: number;
}

/** Parses the worker's settings; a bad value is a ConfigError naming the variable and the rule. */
export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  return {
    ingestListen: parseListen("SPIRITSTREAM_INGEST_LISTEN", env.SPIRITSTREAM_INGEST_LISTEN, 1935),
    ingestSrtListen: parseListen(
      "SPIRITSTREAM_INGEST_SRT_LISTEN",
      env.SPIRITSTREAM_INGEST_SRT_LISTEN,
      9000,
    ),
    drainGraceMs: parseGrace(env.SPIRITSTREAM_DRAIN_GRACE_MS),
  };
}

function parseListen(
  name: string,
  value: string | undefined,
  examplePort: number,
): WorkerConfig["ingestListen"] {
  if (value === undefined || value === "") return null;
  const match = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port >= 1 && port <= 65535)) {
    throw new ConfigError(
      name,
      `must be host:port with a port from 1 to 65535 (e.g. 0.0.0.0:${examplePort})`,
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
