/**
 * An RTMP ingest in its own process, so a test can measure its memory apart from the sockets
 * attacking it. Argument: JSON of the server options (hostname, app, streamKey, limits). Logs
 * JSON lines on stdout: "ingest listening" {port}, then "ingest status" {pending, rss} every
 * 100 ms, plus the server's own lines.
 */
import { createLogger } from "@spiritstream/kit";
import { startRtmpServer } from "../rtmp_server.ts";

const options = JSON.parse(Deno.args[0] ?? "{}");
const logger = createLogger({ level: Deno.env.get("INGEST_LOG_LEVEL") ?? "info" });
const server = startRtmpServer({
  hostname: "127.0.0.1",
  port: 0,
  app: "live",
  ...options,
  logger,
  onPublish() {},
  onUnpublish() {},
});
logger.info({ port: server.port }, "ingest listening");
setInterval(() => {
  logger.info({ pending: server.pending, rss: Deno.memoryUsage().rss }, "ingest status");
}, 100);
Deno.addSignalListener("SIGTERM", () => void server.close().then(() => Deno.exit(0)));
