import assert from "node:assert/strict";
import { startHttpsServer } from "@spiritstream/testing";
import { MAX_ANSWER_BYTES, YouTubeApi } from "./youtube_api.ts";

Deno.test("YouTubeApi against a hostile HTTPS server (no real YouTube here): an endless answer is refused after 8 MiB, not read into memory", async () => {
  const key = `AIza${crypto.randomUUID().replaceAll("-", "")}`;
  let sent = 0;
  const server = await startHttpsServer(() => {
    const chunk = new TextEncoder().encode(`{"items":[${'{"id":{"videoId":"x"}},'.repeat(4000)}`);
    // 64 MiB in all: enough to tell a bounded read from one that takes everything.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 64 * 1024 * 1024) return controller.close();
        sent += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  const client = Deno.createHttpClient({ caCerts: [server.caPem] });
  try {
    const api = new YouTubeApi({
      base: `${server.base}/youtube/v3`,
      credential: { kind: "apiKey", key },
      client,
    });
    const error = await api.activeLiveChatId("UCx").then(() => null, (e: Error) => e);
    assert.equal(error?.message, "YouTube API search: the answer is larger than 8 MiB");
    assert.ok(sent < 4 * MAX_ANSWER_BYTES, `the server got to send ${sent} bytes`);
  } finally {
    client.close();
    await server.stop();
  }
});
