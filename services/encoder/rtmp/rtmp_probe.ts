import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { type Amf0Object, type Amf0Value, decodeAmf0 } from "../flv/amf0.ts";
import { ByteReader } from "./byte_reader.ts";
import { handshake } from "./handshake.ts";
import { controlMessage, MessageType, type RtmpMessage } from "./messages.ts";
import { RtmpConnection } from "./rtmp_connection.ts";
import { explainTlsFailure } from "./explain_tls_failure.ts";

/** What `test_rtmp_target` answers (snake_case `latency_ms`, as SpiritStream sends it). */
export interface RtmpProbeResult {
  success: boolean;
  message: string;
  /** TCP connect time in milliseconds; null when no connection was made. */
  latency_ms: number | null;
}

/** Options for {@linkcode probeRtmpTarget}. */
export interface RtmpProbeOptions {
  /** Budget of each step: DNS, TCP connect, TLS, handshake, `connect` reply. @default 5000 */
  timeoutMs?: number;
  /** Extra PEM root certificates for rtmps:// (tests with a private CA). */
  caCerts?: string[];
}

interface ProbeTarget {
  scheme: "rtmp" | "rtmps" | "srt";
  hostname: string;
  port: number;
  /** The first path segment: the RTMP application. */
  app: string;
  /** `host:port`, for messages. */
  where: string;
}

const CONNECT_TXN = 1;

/**
 * Checks that an RTMP(S) destination is reachable WITHOUT going live: resolves the host name,
 * opens TCP (and TLS for rtmps), runs the RTMP handshake and asks to `connect` to the
 * application, then hangs up. It never creates a stream, never publishes and never sends the
 * stream key (only `rtmp://host:port/app` travels), so a test can never show up on a live
 * channel. SRT runs over UDP and has nothing to connect to before publishing, so an srt:// URL
 * only gets its host name resolved and an honest "cannot be tested" answer. Never throws.
 */
export async function probeRtmpTarget(
  url: string,
  options: RtmpProbeOptions = {},
): Promise<RtmpProbeResult> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const target = parseTarget(url);
  if (typeof target === "string") return fail(target);
  const resolved = await resolveHost(target.hostname, timeoutMs);
  if (!resolved.ok) return fail(resolved.message);
  if (target.scheme === "srt") {
    return fail(
      `SRT targets cannot be tested without publishing: SRT runs over UDP, so there is no ` +
        `connection to open before a stream starts. ${target.hostname} resolves to ` +
        `${resolved.address}; go live to verify this target`,
    );
  }
  const started = performance.now();
  let conn: Deno.Conn;
  try {
    conn = await Deno.connect({
      hostname: resolved.address,
      port: target.port,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return fail(connectFailure(target, { error, timeoutMs }));
  }
  const latency = Math.round(performance.now() - started);
  try {
    if (target.scheme === "rtmps") {
      const secured = await secure(conn as Deno.TcpConn, target, { ...options, timeoutMs });
      if (typeof secured === "string") return { ...fail(secured), latency_ms: latency };
      conn = secured;
    }
    return { ...(await rtmpConnect(conn, { target, timeoutMs })), latency_ms: latency };
  } finally {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/** TLS over the open TCP connection; answers the connection or why TLS failed. */
async function secure(
  tcp: Deno.TcpConn,
  target: ProbeTarget,
  options: { timeoutMs: number; caCerts?: string[] },
): Promise<Deno.TlsConn | string> {
  try {
    const tls = await Deno.startTls(tcp, { hostname: target.hostname, caCerts: options.caCerts });
    try {
      await withTimeout(tls.handshake(), options.timeoutMs);
      return tls;
    } catch (error) {
      tls.close();
      throw error;
    }
  } catch (error) {
    const cause = error === TIMED_OUT
      ? `no answer within ${seconds(options.timeoutMs)}`
      : reason(error);
    const explained = explainTlsFailure(cause);
    return `TLS with ${target.where} failed: ${explained ? `${explained} (${cause})` : cause}`;
  }
}

async function rtmpConnect(
  conn: Deno.Conn,
  { target, timeoutMs }: { target: ProbeTarget; timeoutMs: number },
): Promise<Omit<RtmpProbeResult, "latency_ms">> {
  const reader = new ByteReader(conn);
  try {
    await handshake(conn, reader, { role: "client", timeoutMs });
  } catch (error) {
    const why = /timed out/.test(reason(error))
      ? `it accepted the connection but did not answer the RTMP handshake within ${
        seconds(timeoutMs)
      }`
      : `the RTMP handshake failed (${reason(error)})`;
    return fail(`${target.where} does not look like an RTMP server: ${why}`);
  }
  let answer: (value: { name: string; info: Amf0Object }) => void = () => {};
  const replied = new Promise<{ name: string; info: Amf0Object }>((resolve) => answer = resolve);
  const rtmp = new RtmpConnection(conn, {
    initialBytes: reader.takeBuffered(),
    onMessage(message: RtmpMessage) {
      const values = commandValues(message);
      if (!values) return;
      const [name, txn] = values;
      if ((name === "_result" || name === "_error") && txn === CONNECT_TXN) {
        answer({ name, info: asObject(values[3]) });
      }
    },
  });
  rtmp.start();
  rtmp.send(controlMessage(MessageType.WindowAckSize, 2_500_000));
  const tcUrl = `${target.scheme}://${target.where}/${target.app}`;
  rtmp.sendCommand(0, [
    "connect",
    CONNECT_TXN,
    { app: target.app, type: "nonprivate", flashVer: "FMLE/3.0 (compatible; SpiritStream)", tcUrl },
  ]);
  type Outcome = { name: string; info: Amf0Object } | { closed: true } | { timedOut: true };
  const outcome: Outcome = await withTimeout<Outcome>(
    Promise.race([replied, rtmp.closed.then(() => ({ closed: true as const }))]),
    timeoutMs,
  ).catch(() => ({ timedOut: true as const }));
  rtmp.close();
  const app = `application "${target.app}"`;
  if ("timedOut" in outcome) {
    return fail(
      `${target.where} completed the RTMP handshake but did not answer the connect to ${app} ` +
        `within ${seconds(timeoutMs)}`,
    );
  }
  if ("closed" in outcome) {
    return fail(
      `${target.where} closed the connection when asked for ${app}: the server refused it ` +
        `(check the application part of the URL)`,
    );
  }
  const code = typeof outcome.info.code === "string" ? outcome.info.code : "";
  if (outcome.name === "_error" || (code !== "" && !/Success/i.test(code))) {
    const description = typeof outcome.info.description === "string"
      ? `: ${outcome.info.description.slice(0, 200)}`
      : "";
    return fail(
      `${target.where} rejected ${app} (${code || "no code"}${description}); check the ` +
        `server URL`,
    );
  }
  return {
    success: true,
    message: `Connected to ${target.where} and the RTMP server accepted ${app}. Nothing was ` +
      `published and the stream key was not sent: only going live can prove the key`,
  };
}

function parseTarget(url: string): ProbeTarget | string {
  const match = /^(rtmps?|srt):\/\/([^/?#\s]+)(\/[^?#\s]*)?/i.exec(url.trim());
  if (!match) return "The URL must start with rtmp://, rtmps:// or srt:// followed by a host";
  const scheme = match[1]!.toLowerCase() as ProbeTarget["scheme"];
  const authority = match[2]!;
  const hostPort = /^(\[[^\]]+\]|[^:@]+)(?::(\d+))?$/.exec(authority);
  if (!hostPort) return "The host part of the URL must be host or host:port";
  const hostname = hostPort[1]!.replace(/^\[|\]$/g, "");
  const port = hostPort[2] ? Number(hostPort[2]) : scheme === "rtmps" ? 443 : 1935;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return "The port in the URL must be a whole number from 1 to 65535";
  }
  const app = (match[3] ?? "").split("/").find((segment) => segment !== "") ?? "";
  if (scheme !== "srt" && app === "") {
    return "The URL has no application path (e.g. rtmp://host/live); the server needs it";
  }
  const where = `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
  return { scheme, hostname, port, app, where };
}

async function resolveHost(
  hostname: string,
  timeoutMs: number,
): Promise<{ ok: true; address: string } | { ok: false; message: string }> {
  if (isIP(hostname)) return { ok: true, address: hostname };
  try {
    const found = await withTimeout(lookup(hostname), timeoutMs);
    return { ok: true, address: found.address };
  } catch (error) {
    if (error === TIMED_OUT) {
      return { ok: false, message: `DNS lookup of "${hostname}" timed out: check the network` };
    }
    const code = (error as { code?: string }).code;
    if (code === "EAI_AGAIN") {
      return {
        ok: false,
        message: `DNS lookup of "${hostname}" failed temporarily: check this server's network`,
      };
    }
    return {
      ok: false,
      message: `The host name "${hostname}" could not be resolved (DNS): check the server URL`,
    };
  }
}

function connectFailure(
  target: ProbeTarget,
  { error, timeoutMs }: { error: unknown; timeoutMs: number },
): string {
  if (error instanceof Deno.errors.ConnectionRefused) {
    return `Connection refused by ${target.where}: nothing is listening there (wrong port, or ` +
      `the server is down)`;
  }
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError" || error instanceof Deno.errors.TimedOut) {
    return `Connection to ${target.where} timed out after ${seconds(timeoutMs)}: the host is ` +
      `unreachable or a firewall drops the traffic`;
  }
  return `Could not connect to ${target.where}: ${reason(error)}`;
}

const TIMED_OUT = Symbol("timed out");

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(TIMED_OUT), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function commandValues(message: RtmpMessage): Amf0Value[] | null {
  if (message.typeId === MessageType.CommandAmf0) return decodeAmf0(message.payload);
  if (message.typeId === MessageType.CommandAmf3) return decodeAmf0(message.payload.subarray(1));
  return null;
}

function asObject(value: Amf0Value | undefined): Amf0Object {
  return value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date)
    ? value as Amf0Object
    : {};
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\(os error \d+\)$/, "").slice(0, 200);
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function fail(message: string): RtmpProbeResult {
  return { success: false, message, latency_ms: null };
}
