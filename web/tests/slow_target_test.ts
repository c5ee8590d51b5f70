import assert from "node:assert/strict";
import {
  ensureTestClip,
  freePort,
  startNginxRtmp,
  startPublisher,
  startThrottleProxy,
  type TestPublisher,
} from "@spiritstream/testing";
import {
  ensureBuilt,
  ingestUrl,
  launchBrowser,
  openDashboard,
  passthroughProfile,
  saveProfile,
  screenshot,
  startDesktop,
  watchConsole,
} from "./harness.ts";

Deno.test('a live target behind a 1 Mbit/s link shows "too slow for this bitrate" on the dashboard and stays live', async () => {
  await ensureBuilt();
  const clip = await ensureTestClip({
    width: 1280,
    height: 720,
    fps: 30,
    seconds: 30,
    videoKbps: 4500,
  });
  const nginx = await startNginxRtmp({ apps: 1 });
  const proxy = startThrottleProxy({ upstreamPort: nginx.ports[0]!, bytesPerSecond: 125_000 });
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  let publisher: TestPublisher | null = null;
  try {
    const ingestPort = freePort();
    await saveProfile(
      desktop.base,
      passthroughProfile({
        id: "slow",
        name: "Slow",
        ingestPort,
        targets: [{
          id: "thin",
          service: "Custom",
          name: "Thin Uplink",
          url: `rtmp://127.0.0.1:${proxy.port}/live`,
          streamKey: "thin-uplink-key-1234",
        }],
      }),
    );
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await openDashboard(page, desktop.base, "Slow");
    await page.locator('.ingest [data-state="waiting"]').waitFor({ timeout: 15_000 });
    publisher = await startPublisher(ingestUrl(ingestPort), { clip });
    await page.locator('.ingest [data-state="live"]').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Go live" }).click();

    const row = page.locator('[data-target="thin"]');
    const sentence = row.locator(".target-error p");
    await sentence.waitFor({ timeout: 45_000 });
    assert.match(
      await sentence.innerText(),
      /^"Thin Uplink" is too slow for this bitrate: it takes (\d+ kbit\/s|1\.\d Mbit\/s) of the stream's [45]\.\d Mbit\/s/,
    );
    assert.equal(await row.getAttribute("data-state"), "live", "still live, not cut");
    assert.equal(proxy.accepted, 1, "one connection all along");
    await screenshot(page, "target-slow-desktop");
    assert.deepEqual(await console.errors(), []);
  } finally {
    await publisher?.stop();
    await browser.close();
    await desktop.stop();
    await proxy.stop();
    await nginx.stop();
  }
});
