/* Who may publish into the ingest. On loopback only this computer reaches it (OBS here); any
 * other bind address lets other machines connect, so there it must ask for a key, like the HTTP
 * side asks for a token. Shared by the profiles service (save) and the encoder (open). */
import { isLoopbackHost } from "./host_name.ts";

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
