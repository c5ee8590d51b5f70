/** A `/api/invoke` answer: the HTTP status and the parsed envelope. */
export interface InvokeReply {
  status: number;
  body: { ok: boolean; data: unknown; error: string | null } & Record<string, unknown>;
}

/** Options for {@linkcode invoke}. */
export interface InvokeOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string | null;
  /** Sent verbatim instead of `JSON.stringify(body)` (malformed or oversized bodies). */
  rawBody?: string | Uint8Array<ArrayBuffer>;
  /** @default 30000 */
  timeoutMs?: number;
}

/** `POST <base>/api/invoke/<command>` with a JSON body; never throws on an error status. */
export async function invoke(
  base: string,
  command: string,
  body: unknown = {},
  options: InvokeOptions = {},
): Promise<InvokeReply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${base}/api/invoke/${encodeURIComponent(command)}`, {
    method: "POST",
    headers,
    body: options.rawBody ?? JSON.stringify(body),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await response.text();
  let parsed: InvokeReply["body"];
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { ok: false, data: null, error: `non-JSON answer: ${text.slice(0, 200)}` };
  }
  return { status: response.status, body: parsed };
}

/** Like {@linkcode invoke}, but throws unless the command answered 200 with `ok: true`. */
export async function invokeOk<T = unknown>(
  base: string,
  command: string,
  body: unknown = {},
  options: InvokeOptions = {},
): Promise<T> {
  const reply = await invoke(base, command, body, options);
  if (reply.status !== 200 || !reply.body.ok) {
    throw new Error(`${command} answered ${reply.status}: ${reply.body.error}`);
  }
  return reply.body.data as T;
}
