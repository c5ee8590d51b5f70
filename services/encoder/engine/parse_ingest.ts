import { AppError, type StandbySettings } from "@spiritstream/contracts";

/** Where OBS pushes to, as the engine listens for it. */
export interface IngestSpec {
  /** `rtmp://host:port/app` or `srt://host:port`; host is the bind address. */
  url: string;
  /** When set, an RTMP publisher must use this stream key. */
  streamKey?: string | null;
  srtLatencyMs?: number;
  srtPassphrase?: string | null;
  /** The standby slate; absent or mode "off": the targets get nothing while nobody publishes. */
  standby?: StandbySettings | null;
}

/** A parsed {@linkcode IngestSpec}. */
export interface IngestAddress {
  kind: "rtmp" | "srt";
  /** Bind address, verbatim (`0.0.0.0` listens on every interface). */
  hostname: string;
  port: number;
  /** RTMP application ("live" when the URL has none); "" for SRT. */
  app: string;
  /** `rtmp://host:port/app` or `srt://host:port`: no key, no query. */
  url: string;
  /** Extra SRT URL options from the URL's query (mode/latency/passphrase excluded). */
  srtOptions: [string, string][];
  /** Identity of the listener: two specs with equal identities share one ingest. */
  identity: string;
}

const INGEST = /^(rtmp|srt):\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?(\/[^?#]*)?(\?[^#]*)?$/i;

/** Splits an ingest URL; throws invalid_argument naming `incomingUrl` (never echoing a key). */
export function parseIngest(spec: IngestSpec): IngestAddress {
  const match = INGEST.exec(spec.url.trim());
  if (!match) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "incomingUrl": must look like rtmp://host:port/app or srt://host:port',
    );
  }
  const kind = match[1]!.toLowerCase() as "rtmp" | "srt";
  const hostname = match[2]!.replace(/^\[|\]$/g, "");
  const port = match[3] ? Number(match[3]) : kind === "rtmp" ? 1935 : 0;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new AppError(
      "invalid_argument",
      'Invalid argument "incomingUrl": the port must be 1-65535 (SRT needs an explicit port)',
    );
  }
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  if (kind === "rtmp") {
    // Only the application counts; a key in the path is OBS's business (checked via streamKey).
    const app = (match[4] ?? "").split("/").find((s) => s !== "") ?? "live";
    const url = `rtmp://${host}:${port}/${app}`;
    const identity = JSON.stringify([url, spec.streamKey ?? null]);
    return { kind, hostname, port, app, url, srtOptions: [], identity };
  }
  const srtOptions: [string, string][] = [];
  for (const [name, value] of new URLSearchParams(match[5] ?? "")) {
    if (!["mode", "latency", "passphrase"].includes(name)) srtOptions.push([name, value]);
  }
  const url = `srt://${host}:${port}`;
  const identity = JSON.stringify([
    url,
    srtOptions,
    spec.srtLatencyMs ?? null,
    spec.srtPassphrase ?? null,
  ]);
  return { kind, hostname, port, app: "", url, srtOptions, identity };
}
