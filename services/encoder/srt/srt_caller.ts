import { AppError } from "@spiritstream/contracts";
import { resolveHost } from "./sockaddr.ts";
import { SrtSocket } from "./srt_socket.ts";
import { parseSrtUrl } from "./srt_url.ts";

/**
 * Connects a caller socket to a target's `srt://` URL: every query option (stream id,
 * passphrase, latency, ...) goes onto the socket, none onto a command line. Sends never block
 * the JS thread afterwards. An abort closes the socket, which ends a pending connect.
 */
export async function openSrtCaller(url: string, signal: AbortSignal): Promise<SrtSocket> {
  const destination = parseSrtUrl(url);
  const hostname = await resolveHost(destination.hostname, "url");
  const socket = SrtSocket.create();
  const onAbort = () => void socket.close();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    for (const setting of destination.settings) socket.set(setting);
    await socket.connect({ hostname, port: destination.port }, destination.label);
    if (signal.aborted) throw new AppError("unavailable", "SRT connect was cancelled");
    socket.nonBlockingSend();
    return socket;
  } catch (error) {
    await socket.close();
    throw error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
