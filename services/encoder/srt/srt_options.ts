import { AppError } from "@spiritstream/contracts";
import { SRTO } from "./libsrt.ts";
import type { SrtOptionValue, SrtSetting } from "./srt_socket.ts";

type Kind = "int" | "int64" | "bool" | "string";

interface Spec {
  option: number;
  kind: Kind;
  /** FFmpeg's URL takes these in microseconds; libsrt wants milliseconds. */
  micros?: boolean;
  min?: number;
  max?: number;
  oneOf?: number[];
}

/** FFmpeg's `srt://` URL options (same names and units), as libsrt socket options. */
const OPTIONS: Record<string, Spec> = {
  streamid: { option: SRTO.STREAMID, kind: "string", max: 512 },
  srt_streamid: { option: SRTO.STREAMID, kind: "string", max: 512 },
  passphrase: { option: SRTO.PASSPHRASE, kind: "string", min: 10, max: 79 },
  pbkeylen: { option: SRTO.PBKEYLEN, kind: "int", oneOf: [0, 16, 24, 32] },
  latency: { option: SRTO.LATENCY, kind: "int", micros: true, min: 0 },
  rcvlatency: { option: SRTO.RCVLATENCY, kind: "int", micros: true, min: 0 },
  peerlatency: { option: SRTO.PEERLATENCY, kind: "int", micros: true, min: 0 },
  connect_timeout: { option: SRTO.CONNTIMEO, kind: "int", min: 1 },
  timeout: { option: SRTO.PEERIDLETIMEO, kind: "int", micros: true, min: 1 },
  maxbw: { option: SRTO.MAXBW, kind: "int64", min: -1 },
  inputbw: { option: SRTO.INPUTBW, kind: "int64", min: 0 },
  oheadbw: { option: SRTO.OHEADBW, kind: "int", min: 5, max: 100 },
  tlpktdrop: { option: SRTO.TLPKTDROP, kind: "bool" },
  nakreport: { option: SRTO.NAKREPORT, kind: "bool" },
  enforced_encryption: { option: SRTO.ENFORCEDENCRYPTION, kind: "bool" },
  kmrefreshrate: { option: SRTO.KMREFRESHRATE, kind: "int", min: 0 },
  kmpreannounce: { option: SRTO.KMPREANNOUNCE, kind: "int", min: 0 },
  snddropdelay: { option: SRTO.SNDDROPDELAY, kind: "int", micros: true, min: -1 },
  lossmaxttl: { option: SRTO.LOSSMAXTTL, kind: "int", min: 0 },
  sndbuf: { option: SRTO.SNDBUF, kind: "int", min: 1 },
  rcvbuf: { option: SRTO.RCVBUF, kind: "int", min: 1 },
  mss: { option: SRTO.MSS, kind: "int", min: 76, max: 1500 },
  ffs: { option: SRTO.FC, kind: "int", min: 32 },
  ipttl: { option: SRTO.IPTTL, kind: "int", min: 1, max: 255 },
  iptos: { option: SRTO.IPTOS, kind: "int", min: 0, max: 255 },
  payload_size: { option: SRTO.PAYLOADSIZE, kind: "int", min: 188, max: 1456 },
  pkt_size: { option: SRTO.PAYLOADSIZE, kind: "int", min: 188, max: 1456 },
};

/** Accepted and checked, but nothing to set: we only ever stream live, as a caller or listener. */
const FIXED: Record<string, string[]> = {
  transtype: ["live"],
  mode: ["caller", "listener"],
};

/** Names of the supported query options (for error messages and docs). */
export const SRT_OPTION_NAMES = [...Object.keys(OPTIONS), ...Object.keys(FIXED)].sort();

/**
 * Turns `srt://` query options into socket settings. Units follow FFmpeg's URL (latency and
 * timeouts in microseconds, connect_timeout in ms). Throws invalid_argument naming `field` and
 * the option, never its value (stream id and passphrase are secrets).
 */
export function srtSettings(query: Iterable<[string, string]>, field: string): SrtSetting[] {
  const settings: SrtSetting[] = [];
  for (const [rawName, raw] of query) {
    const name = rawName.toLowerCase();
    const fixed = FIXED[name];
    if (fixed) {
      if (!fixed.includes(raw.toLowerCase())) {
        throw invalid(field, `SRT option "${name}" must be one of ${fixed.join(", ")}`);
      }
      continue;
    }
    const spec = OPTIONS[name];
    if (!spec) {
      throw invalid(
        field,
        `SRT option "${rawName}" is not supported (supported: ${SRT_OPTION_NAMES.join(", ")})`,
      );
    }
    settings.push({ name, option: spec.option, value: parseValue(name, raw, spec, field), field });
  }
  return settings;
}

function parseValue(name: string, raw: string, spec: Spec, field: string): SrtOptionValue {
  if (spec.kind === "string") {
    const length = new TextEncoder().encode(raw).length;
    if (length < (spec.min ?? 0) || length > (spec.max ?? Infinity)) {
      throw invalid(field, `SRT option "${name}" must be ${spec.min ?? 0} to ${spec.max} bytes`);
    }
    return raw;
  }
  if (spec.kind === "bool") {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw invalid(field, `SRT option "${name}" must be 0 or 1`);
  }
  if (!/^-?\d+$/.test(raw.trim())) throw invalid(field, `SRT option "${name}" must be an integer`);
  let value = Number(raw);
  if (
    value < (spec.min ?? -Infinity) || value > (spec.max ?? Infinity) ||
    (spec.oneOf && !spec.oneOf.includes(value))
  ) {
    throw invalid(field, `SRT option "${name}" must be ${range(spec)}`);
  }
  if (spec.micros && value > 0) value = Math.max(1, Math.round(value / 1000));
  if (spec.kind === "int64") return { int64: BigInt(value) };
  if (!Number.isSafeInteger(value) || Math.abs(value) > 2 ** 31 - 1) {
    throw invalid(field, `SRT option "${name}" is out of range`);
  }
  return value;
}

function range(spec: Spec): string {
  if (spec.oneOf) return `one of ${spec.oneOf.join(", ")}`;
  if (spec.max !== undefined) return `${spec.min} to ${spec.max}`;
  return `at least ${spec.min}`;
}

function invalid(field: string, rule: string): AppError {
  return new AppError("invalid_argument", `Invalid argument "${field}": ${rule}`);
}
