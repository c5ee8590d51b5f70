import { SRTO } from "./libsrt.ts";
import { resolveHost } from "./sockaddr.ts";
import type { SrtConnectHook, SrtSetting } from "./srt_socket.ts";
import { SrtSocket } from "./srt_socket.ts";

/** What {@linkcode openSrtListener} binds and sets. */
export interface SrtListenerSpec {
  hostname: string;
  port: number;
  /** Set on the listening socket: every accepted caller inherits them (passphrase included). */
  settings: SrtSetting[];
  /** Decides each caller in its handshake (by its stream id), e.g. setting its passphrase. */
  onConnect?: SrtConnectHook;
}

/** Binds and listens; the passphrase lives on the socket, never on a command line. */
export async function openSrtListener(spec: SrtListenerSpec): Promise<SrtSocket> {
  const hostname = await resolveHost(spec.hostname, "incomingUrl");
  const socket = SrtSocket.create();
  try {
    for (const setting of spec.settings) socket.set(setting);
    // "::" listens on IPv4 too, as 0.0.0.0 would; libsrt wants this said explicitly.
    if (hostname.includes(":")) {
      socket.set({ name: "ipv6only", option: SRTO.IPV6ONLY, value: false });
    }
    if (spec.onConnect) socket.onConnect(spec.onConnect);
    socket.bind({ hostname, port: spec.port });
    socket.listen(`${spec.hostname}:${spec.port}`);
    return socket;
  } catch (error) {
    await socket.close();
    throw error;
  }
}
