import { startPublisher } from "@spiritstream/testing";
import { ingestListenerContract } from "../testdata/ingest_listener_contract.ts";
import { openRtmpIngest } from "./open_rtmp_ingest.ts";

const KEY = "contract-ingest-key-1234";

ingestListenerContract({
  name: "openRtmpIngest",
  open: openRtmpIngest,
  spec: (port) => ({ url: `rtmp://127.0.0.1:${port}/live`, streamKey: KEY }),
  publish: (spec, clip) => startPublisher(`${spec.url}/${KEY}`, { clip }),
});
