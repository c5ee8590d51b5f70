import { ingestListenerContract } from "../testdata/ingest_listener_contract.ts";
import { openSrtIngest } from "./open_srt_ingest.ts";
import { srtPublisher } from "./testdata/srt_peers.ts";

const PASSPHRASE = "contract-ingest-passphrase";

ingestListenerContract({
  name: "openSrtIngest",
  open: openSrtIngest,
  spec: (port) => ({
    url: `srt://127.0.0.1:${port}`,
    srtPassphrase: PASSPHRASE,
    srtLatencyMs: 120,
  }),
  publish: (spec, clip) =>
    Promise.resolve(
      srtPublisher(`${spec.url}?mode=caller&latency=120000&passphrase=${PASSPHRASE}`, clip),
    ),
});
