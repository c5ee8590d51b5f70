import { startNginxRtmp } from "@spiritstream/testing";
import { mediaAdapters } from "../adapters.ts";
import { targetConnectorContract } from "../testdata/target_connector_contract.ts";

targetConnectorContract({
  name: "rtmpConnector",
  create: mediaAdapters().targets.rtmp,
  async startDestination() {
    const nginx = await startNginxRtmp({ apps: 1 });
    const key = `contract-${crypto.randomUUID()}`;
    let stopping: Promise<void> | null = null;
    return {
      url: nginx.url(0, key),
      async received() {
        const [destination] = await nginx.stat();
        return destination?.streams.find((s) => s.name === key)?.bytesIn ?? 0;
      },
      stop: () => stopping ??= nginx.stop(),
    };
  },
  unreachable: (port) => `rtmp://127.0.0.1:${port}/live/nobody-listens`,
});
