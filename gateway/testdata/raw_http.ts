/** Raw TCP clients for the gateway's Host, Origin and slow-client tests. */

/**
 * Sends `text` as is and resolves with the response: its head and `Content-Length` body (only
 * the head for a 101), or what arrived before the server closed or `timeoutMs` passed.
 */
export async function rawExchange(
  port: number,
  text: string,
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(text));
    return await readUntilClosed(conn, { ...options, untilResponse: true });
  } finally {
    closeQuietly(conn);
  }
}

/** Reads until the peer closes, `timeoutMs` passes or (`untilResponse`) one response arrived. */
export async function readUntilClosed(
  conn: Deno.Conn,
  options: { timeoutMs?: number; untilResponse?: boolean } = {},
): Promise<string> {
  const { timeoutMs = 10_000, untilResponse = false } = options;
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(16 * 1024);
  let text = "";
  const timer = setTimeout(() => closeQuietly(conn), timeoutMs);
  try {
    while (!(untilResponse && complete(text))) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      text += decoder.decode(buffer.subarray(0, n));
    }
  } finally {
    clearTimeout(timer);
  }
  return text;
}

function complete(response: string): boolean {
  const end = response.indexOf("\r\n\r\n");
  if (end < 0) return false;
  if (statusOf(response) === 101) return true;
  const length = Number(response.slice(0, end).match(/\r\ncontent-length: *(\d+)/i)?.[1] ?? 0);
  return new TextEncoder().encode(response.slice(end + 4)).length >= length;
}

/** The status code of a raw HTTP response, or 0 when there was none. */
export function statusOf(response: string): number {
  return Number(response.match(/^HTTP\/1\.1 (\d{3})/)?.[1] ?? 0);
}

/** A WebSocket upgrade request for `/ws` with the given Host and Origin. */
export function wsUpgrade(host: string, origin: string): string {
  return [
    "GET /ws HTTP/1.1",
    `Host: ${host}`,
    `Origin: ${origin}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "",
    "",
  ].join("\r\n");
}

/** Closes a connection that may already be closed. */
export function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}
