import { freePort } from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import { targetConnectorContract } from "../testdata/target_connector_contract.ts";
import { srtListener } from "./testdata/srt_peers.ts";

const PASSPHRASE = "contract-target-passphrase";

targetConnectorContract({
  name: "srtConnector",
  create: mediaAdapters().targets.srt,
  async startDestination() {
    const port = freePort();
    const dir = await Deno.makeTempDir({ prefix: "srt-contract-" });
    const file = `${dir}/received.ts`;
    const platform = srtListener(
      `srt://127.0.0.1:${port}?mode=listener&passphrase=${PASSPHRASE}&pbkeylen=16`,
      ["-f", "mpegts", file],
    );
    let stopping: Promise<void> | null = null;
    return {
      url: `srt://127.0.0.1:${port}?passphrase=${PASSPHRASE}&pbkeylen=16&latency=200000`,
      received: async () => (await Deno.stat(file).catch(() => null))?.size ?? 0,
      stop: () =>
        stopping ??= (async () => {
          await platform.stop();
          await Deno.remove(dir, { recursive: true });
        })(),
    };
  },
  unreachable: (port) => `srt://127.0.0.1:${port}`,
});
