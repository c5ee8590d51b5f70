import { AppError } from "@spiritstream/contracts";
import { SRT_REJ } from "./libsrt.ts";

/**
 * The AppError for a failed `srt_connect`, from the socket's reject reason. `failed_precondition`
 * means the destination refused us and will keep doing so (wrong passphrase, stream id); the
 * supervisor then retries slowly. `label` is `host:port`, never a secret.
 */
export function connectFailure(reason: number, label: string): AppError {
  const refused = (message: string) =>
    new AppError("failed_precondition", `SRT destination ${label} ${message}`);
  switch (reason) {
    case SRT_REJ.BADSECRET:
      return refused("rejected the passphrase (wrong passphrase)");
    case SRT_REJ.UNSECURE:
      return refused(
        "rejected the connection: encryption mismatch (a passphrase is set on only one side)",
      );
    case SRT_REJ.TIMEOUT:
      return new AppError(
        "unavailable",
        `SRT connection to ${label} timed out (no listener answered; connection refused?)`,
      );
    case SRT_REJ.BACKLOG:
      return new AppError("unavailable", `SRT destination ${label} is busy (backlog full)`);
    case SRT_REJ.VERSION:
      return refused("requires a newer SRT version");
    case SRT_REJ.UNKNOWN:
      return new AppError("unavailable", `SRT destination ${label} hung up during the handshake`);
    case SRT_REJ.PEER:
    case SRT_REJ.CLOSE:
      return new AppError("unavailable", `SRT destination ${label} refused the connection`);
  }
  if (reason >= 1000) {
    return refused(`rejected the stream id (code ${reason}${rejectName(reason)})`);
  }
  return new AppError("unavailable", `SRT connection to ${label} failed (reason ${reason})`);
}

const NAMES: Record<number, string> = {
  1401: ": unauthorized",
  1403: ": forbidden",
  1404: ": not found",
  1409: ": conflict",
};

function rejectName(code: number): string {
  return NAMES[code] ?? "";
}
