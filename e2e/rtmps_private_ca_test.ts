import assert from "node:assert/strict";
import type { StreamState } from "@spiritstream/contracts";
import {
  copyGroup,
  freePort,
  startNginxRtmp,
  startPublisher,
  startTlsFront,
  waitFor,
} from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { waitForMedia } from "../bench/lib/destination_media.ts";
import { secretKey } from "../bench/lib/stream_setup.ts";
import { withCleanup } from "./with_cleanup.ts";

Deno.test("desktop host: SPIRITSTREAM_CA_FILE trusts an rtmps:// server with a private CA; a self-signed one is refused, saying why", async () => {
  await withCleanup(async (defer) => {
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const privateCa = await startTlsFront(nginx.ports[0]!, { signing: "private-ca" });
    defer(() => privateCa.close());
    const selfSigned = await startTlsFront(nginx.ports[0]!, { signing: "self-signed" });
    defer(() => selfSigned.close());
    const host = await startDesktopHost({ env: { SPIRITSTREAM_CA_FILE: privateCa.trustFile } });
    defer(() => host.stop());

    const key = secretKey("private-ca");
    const ingestPort = freePort();
    const incomingUrl = `rtmp://127.0.0.1:${ingestPort}/live`;
    const group = copyGroup("tls", [
      {
        id: "ca",
        service: "Custom",
        name: "ca",
        url: `rtmps://localhost:${privateCa.port}/live`,
        streamKey: key,
      },
      {
        id: "self",
        service: "Custom",
        name: "self",
        url: `rtmps://localhost:${selfSigned.port}/live`,
        streamKey: secretKey("self-signed"),
      },
    ]);
    const started = await host.invoke("start_all_streams", { groups: [group], incomingUrl });
    assert.equal(started.status, 200, started.body.error ?? "");
    defer(() => host.invoke("stop_all_streams", {}));
    const obs = await startPublisher(`${incomingUrl}/obs`);
    defer(() => obs.stop());

    // Trusted through the CA file: media reaches nginx behind the TLS front.
    await waitForMedia(nginx, 0, key);
    // The self-signed server is refused, and the target's error says why and what to do.
    let error = "";
    await waitFor(async () => {
      const state = await host.call<StreamState>("get_stream_state");
      const self = state.groups[0]?.targets.find((t) => t.targetId === "self");
      error = self?.lastError ?? "";
      return error !== "";
    }, { timeoutMs: 20_000, what: "the self-signed target's error" });
    assert.match(error, /self-signed certificate/);
    assert.match(error, /SPIRITSTREAM_CA_FILE/);
    const ca = (await host.call<StreamState>("get_stream_state")).groups[0]!.targets
      .find((t) => t.targetId === "ca");
    assert.equal(ca?.state, "live");
  });
});
