/* Who may publish into the ingest. On loopback only this computer reaches it (OBS here); any
 * other bind address lets other machines connect, so there it must ask for a key, like the HTTP
 * side asks for a token. Shared by the profiles service (save) and the encoder (open). */

/** The parts of a profile's input the rule reads. */
export interface IngestGuardInput {
  type: "rtmp" | "srt";
  bindAddress: string;
  streamKey?: string | null;
  srtPassphrase?: string | null;
}

/** A broken rule: the input field to set and the sentence that says why. */
export interface IngestKeyProblem {
  field: "streamKey" | "srtPassphrase";
  rule: string;
}

const IPV4_LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV4_MAPPED = /^::ffff:(127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** Whether `host` is this computer only: 127.0.0.0/8, ::1 (any spelling) or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost") return true;
  const v4 = IPV4_LOOPBACK.exec(h);
  if (v4) return v4.slice(1).every((part) => Number(part) <= 255);
  const mapped = IPV4_MAPPED.exec(h);
  if (mapped) return isLoopbackHost(mapped[1]!);
  const groups = ipv6Groups(h);
  return groups !== null && groups.slice(0, 7).every((g) => g === 0) && groups[7] === 1;
}

/**
 * The key a non-loopback ingest lacks, or null when it may open: RTMP needs an ingest key
 * (`streamKey`), SRT a passphrase (without it any caller's stream is accepted).
 */
export function ingestKeyProblem(input: IngestGuardInput): IngestKeyProblem | null {
  if (isLoopbackHost(input.bindAddress)) return null;
  const beyond = `the ingest listens on "${input.bindAddress}", which other machines can reach ` +
    "(only 127.0.0.1, ::1 and localhost are this computer alone)";
  if (input.type === "srt") {
    if (input.srtPassphrase) return null;
    return {
      field: "srtPassphrase",
      rule: `an SRT passphrase is required because ${beyond}; set one, or listen on 127.0.0.1`,
    };
  }
  if (input.streamKey) return null;
  return {
    field: "streamKey",
    rule: `an ingest key is required because ${beyond}; set one, or listen on 127.0.0.1`,
  };
}

/** The eight 16-bit groups of an IPv6 address, or null when `h` is not one. */
function ipv6Groups(h: string): number[] | null {
  if (!/^[0-9a-f:]+$/.test(h) || h.split("::").length > 2) return null;
  const [head, tail] = h.includes("::") ? h.split("::") as [string, string] : [h, null];
  const parse = (part: string) => (part === "" ? [] : part.split(":"));
  const left = parse(head);
  const right = tail === null ? [] : parse(tail);
  const missing = 8 - left.length - right.length;
  if (tail === null ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array(tail === null ? 0 : missing).fill("0"), ...right];
  if (all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  return all.map((g) => parseInt(g, 16));
}
