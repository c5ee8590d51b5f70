// deno-lint-ignore-file no-console
// Measures download_ffmpeg's fetch + SHA-256 + write path over loopback HTTPS (numbers for the
// report, not a test): deno run -A services/encoder/ffmpeg/testdata/measure_download.ts [MiB]
import { startHttpsFileServer } from "@spiritstream/testing";
import { captureLogger } from "../../testdata/capture_logger.ts";
import { FfmpegDownloader } from "../ffmpeg_download.ts";

const mib = Number(Deno.args[0] ?? 96);
const body = new Uint8Array(mib * 1024 * 1024);
for (let at = 0; at < body.length; at += 65536) {
  crypto.getRandomValues(body.subarray(at, at + 65536));
}
const server = await startHttpsFileServer({ "/big.tar.xz": body });
const data = await Deno.makeTempDir({ prefix: "measure-download-" });
let events = 0;
const downloader = new FfmpegDownloader({
  // A wrong hash: the run stops after verifying, so only fetch + hash + write is timed.
  config: { url: `${server.base}/big.tar.xz`, sha256: "0".repeat(64), version: "m" },
  managedDir: `${data}/ffmpeg`,
  logger: captureLogger().logger,
  caCerts: [server.caPem],
  onProgress: () => events++,
});
const rssBefore = Deno.memoryUsage().rss;
const started = performance.now();
await downloader.download().catch((error) => {
  if (!/SHA-256/.test(String(error))) throw error;
});
const seconds = (performance.now() - started) / 1000;
console.log(
  `${mib} MiB in ${seconds.toFixed(2)} s = ${(mib / seconds).toFixed(0)} MiB/s; ` +
    `${events} progress events; RSS +${
      ((Deno.memoryUsage().rss - rssBefore) / 1048576).toFixed(0)
    } MiB ` +
    `(the body itself is ${mib} MiB in this process)`,
);
await server.stop();
await Deno.remove(data, { recursive: true });
