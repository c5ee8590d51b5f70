import { AppError } from "@spiritstream/contracts";

/** A file sent with a Discord message. */
export interface WebhookAttachment {
  name: string;
  type: string;
  bytes: Uint8Array;
}

/** Options for {@linkcode postWebhook}. */
export interface PostWebhookOptions {
  /** A JSON body, or Discord's multipart form when there is an attachment. */
  body: Record<string, unknown>;
  attachment?: WebhookAttachment;
  /** @default 10000 */
  timeoutMs?: number;
  /** An HTTP client with extra trusted CAs (tests); default: the process's. */
  client?: Deno.HttpClient;
}

/**
 * POSTs to a webhook. Throws AppError `failed_precondition` with a message that never holds the
 * URL (it is a credential): the status, "rate limited", or why the request failed.
 */
export async function postWebhook(url: string, options: PostWebhookOptions): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      ...requestBody(options),
      redirect: "error",
      ...(options.client ? { client: options.client } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new AppError("failed_precondition", `Webhook request failed: ${reasonOf(error, url)}`);
  }
  const text = await response.text().catch(() => "");
  if (response.ok) return;
  if (response.status === 429) {
    throw new AppError("failed_precondition", "Webhook rate limited: try again later");
  }
  const detail = text.split(url).join("<webhook>").slice(0, 200);
  throw new AppError(
    "failed_precondition",
    `Webhook request failed with HTTP ${response.status}${detail ? `: ${detail}` : ""}`,
  );
}

function requestBody(options: PostWebhookOptions): { body: BodyInit; headers?: HeadersInit } {
  if (!options.attachment) {
    return {
      body: JSON.stringify(options.body),
      headers: { "content-type": "application/json" },
    };
  }
  // Discord's format: the message as `payload_json`, files as `files[n]`.
  const form = new FormData();
  form.append("payload_json", JSON.stringify(options.body));
  const { name, type, bytes } = options.attachment;
  form.append("files[0]", new Blob([bytes as BlobPart], { type }), name);
  return { body: form };
}

function reasonOf(error: unknown, url: string): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "timed out";
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  const text = [message, cause].filter(Boolean).join(": ");
  return text.split(url).join("<webhook>").replace(/https?:\/\/\S+/g, "<webhook>").slice(0, 300);
}
