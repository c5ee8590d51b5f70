/** Why a target or a group failed, in a streamer's words, with the raw text kept beside it. */
export interface Explained {
  /** What went wrong, what to do: one sentence naming the target or group. */
  message: string;
  /** The raw cause (already scrubbed of keys by the caller). */
  cause: string;
  kind: FailureKind;
}

/** The failures a streamer can act on, plus "other". */
export type FailureKind =
  | "refused"
  | "dns"
  | "tls"
  | "rejected"
  | "busy"
  | "passphrase"
  | "closed"
  | "timeout"
  | "codec"
  | "other";

/** Where a target was when it failed. */
export interface TargetFailureContext {
  /** True when the link had been live and the destination ended it. */
  dropped?: boolean;
}

/** A destination that still has a publisher on this key (nginx-rtmp: "Already publishing"). */
export const ALREADY_PUBLISHING = /already publishing|stream (is )?already (in use|publishing)/i;

const RULES: { kind: FailureKind; test: RegExp }[] = [
  { kind: "refused", test: /connection refused|os error 111|ECONNREFUSED|os error 10061/i },
  {
    kind: "dns",
    test:
      /failed to lookup address|name or service not known|nodename nor servname|no such host|dns error|ENOTFOUND|temporary failure in name resolution|os error 11001/i,
  },
  {
    kind: "tls",
    test:
      /invalid peer certificate|certificate|corrupt message|InvalidContentType|tls|handshake failure|alert received|os error 71/i,
  },
  { kind: "busy", test: ALREADY_PUBLISHING },
  { kind: "passphrase", test: /rejected the passphrase|passphrase (is )?(wrong|missing)/i },
  {
    kind: "rejected",
    test:
      /publish refused|BadName|Publish\.(Failed|Rejected|Denied)|call failed|stream key not accepted|forbidden/i,
  },
  { kind: "timeout", test: /timed out|timeout/i },
  {
    kind: "closed",
    test:
      /connection closed|closed by (the )?(server|peer|remote)|connection reset|broken pipe|os error 104|os error 32|unexpected eof|end of file/i,
  },
];

function classify(raw: string): FailureKind {
  return RULES.find((rule) => rule.test.test(raw))?.kind ?? "other";
}

function sentence(name: string, kind: FailureKind, raw: string): string {
  switch (kind) {
    case "refused":
      return `${name}: nothing accepts connections at that address (connection refused). ` +
        "Check the server URL and port of this target, and that the server is running.";
    case "dns":
      return `${name}: the server name in this target's URL cannot be found (DNS). ` +
        "Check the URL for typos and that this computer is online.";
    case "tls": {
      // The RTMPS client already said why in words (explain_tls_failure.ts): keep its advice.
      const explained = /TLS refused: (.+) \(/.exec(raw)?.[1];
      if (explained) return `${name}: the secure (RTMPS) connection was refused: ${explained}.`;
      if (/certificate|UnknownIssuer|NotValidForName|Expired/i.test(raw)) {
        return `${name}: the server's TLS certificate is not trusted (self-signed, expired or ` +
          "made for another name). Check the URL, or trust the server's certificate authority " +
          "if it uses its own.";
      }
      return `${name}: the secure (RTMPS) connection could not be set up. Check that the URL ` +
        "should start with rtmps:// (use rtmp:// for a server without TLS), or trust the " +
        "server's certificate authority if it uses its own.";
    }
    case "rejected":
      return `${name} refused the stream key. Copy the key again from the platform's ` +
        "dashboard (a reset key stops working) and check the server URL.";
    case "busy":
      return `${name} still has a stream running with this key ("Already publishing"): ` +
        "usually our previous connection, which the platform has not let go yet. SpiritStream " +
        "retries shortly; if it persists, check that no other encoder streams with this key.";
    case "passphrase":
      return `${name} refused the SRT passphrase. Check that the passphrase in this target's ` +
        "URL is the one the destination expects (10 to 79 characters).";
    case "closed":
      return `${name} closed the connection. SpiritStream reconnects by itself; if it keeps ` +
        "happening, check on the platform that the key is still valid and the stream was not ended there.";
    case "timeout":
      return `${name} did not answer in time. Check the network and the server URL; ` +
        "SpiritStream keeps retrying.";
    default:
      return "";
  }
}

/**
 * Turns a target's raw failure (socket error, RTMP status, our own AppError text) into one
 * sentence naming the target and what to do. A destination that ended a live link is "closed";
 * one that hung up in answer to our publish is "rejected" (nginx-rtmp's `on_publish` and most
 * platforms drop a bad key that way instead of sending a status).
 */
export function explainTargetFailure(
  name: string,
  raw: string,
  context: TargetFailureContext = {},
): Explained {
  let kind = classify(raw);
  if (context.dropped && (kind === "other" || kind === "timeout")) kind = "closed";
  // Unknown causes (and our own precise texts, like an unset key variable) are shown as they are.
  const message = sentence(`"${name}"`, kind, raw) || `"${name}" cannot stream: ${raw}`;
  return { message, cause: raw, kind };
}

/** What a destination that cannot keep up measured (see `TargetLink.onSlow`). */
export interface SlowMeasure {
  throughputKbps: number;
  inputKbps: number;
}

/** The sentence for a live destination that cannot take the stream's bitrate. */
export function slowSentence(name: string, measure: SlowMeasure): string {
  return `"${name}" is too slow for this bitrate: it takes ${kbps(measure.throughputKbps)} of ` +
    `the stream's ${kbps(measure.inputKbps)}, so SpiritStream drops video to keep it close to ` +
    "live. Lower the bitrate (an output group that re-encodes for this target) or check the " +
    "upload speed of this network.";
}

function kbps(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} Mbit/s` : `${value} kbit/s`;
}

/** A codec the group's container cannot carry, read from FFmpeg's stderr. */
export interface CodecMismatch {
  codec: string;
  container: string;
}

const CODEC_LINES: RegExp[] = [
  /Video codec (\S+) not compatible with (\w+)/i,
  /Audio codec (\S+) not compatible with (\w+)/i,
  /Could not find tag for codec (\S+) in stream #\d+, codec not currently supported in container/i,
  /codec (\S+) is not supported in (\w+)/i,
];

/** Finds "Video codec hevc not compatible with flv" (and kin) in FFmpeg's stderr lines. */
export function findCodecMismatch(
  lines: readonly string[],
  container = "flv",
): CodecMismatch | null {
  for (const line of lines) {
    for (const pattern of CODEC_LINES) {
      const match = pattern.exec(line);
      if (match) return { codec: match[1] ?? "this codec", container: match[2] ?? container };
    }
  }
  return null;
}

const CODEC_NAMES: Record<string, string> = { hevc: "HEVC", h265: "HEVC", av1: "AV1", vp9: "VP9" };
const CONTAINER_NAMES: Record<string, string> = { flv: "FLV (RTMP)", mpegts: "MPEG-TS (SRT)" };

/** The sentence for a codec the container refuses, naming the group or target. */
export function codecSentence(name: string, mismatch: CodecMismatch): string {
  const codec = CODEC_NAMES[mismatch.codec.toLowerCase()] ?? mismatch.codec;
  const container = CONTAINER_NAMES[mismatch.container.toLowerCase()] ?? mismatch.container;
  return `"${name}" cannot go live: ${codec} cannot go into ${container} on this FFmpeg. ` +
    "Choose an H.264 encoder for this output group (Settings → Encoders lists what works).";
}
