import assert from "node:assert/strict";
import {
  freePort,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
  waitFor,
} from "@spiritstream/testing";
import {
  ensureBuilt,
  ingestUrl,
  launchBrowser,
  openDashboard,
  passthroughProfile,
  saveProfile,
  screenshot,
  screenshots,
  splitUrl,
  startDesktop,
  watchConsole,
} from "./harness.ts";

Deno.test("go live: two nginx-rtmp targets go live, one drops and comes back, stop all ends everything", async () => {
  await ensureBuilt();
  const nginx = await startNginxRtmp({ apps: 2 });
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  let publisher: TestPublisher | null = null;
  try {
    const ingestPort = freePort();
    await saveProfile(
      desktop.base,
      passthroughProfile({
        id: "go-live",
        name: "Go live",
        ingestPort,
        targets: [
          { id: "alpha", service: "Custom", name: "Alpha", ...splitUrl(nginx.url(0, "alpha")) },
          { id: "beta", service: "Custom", name: "Beta", ...splitUrl(nginx.url(1, "beta")) },
        ],
      }),
    );

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await openDashboard(page, desktop.base, "Go live");
    await page.getByText("Ready: 2 targets").waitFor();

    // The active profile's ingest opens (with its key) before "Go live": OBS (our publisher)
    // connects first, as a streamer does.
    await page.locator('.ingest [data-state="waiting"]').waitFor({ timeout: 15_000 });
    publisher = await startPublisher(ingestUrl(ingestPort));
    await page.locator('.ingest [data-state="live"]').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Go live" }).click();
    const alpha = page.locator('[data-target="alpha"][data-state="live"]');
    const beta = page.locator('[data-target="beta"][data-state="live"]');
    await alpha.waitFor({ timeout: 30_000 });
    await beta.waitFor({ timeout: 30_000 });
    await page.locator(".on-air").waitFor();

    // The bitrate chart moves: it gains points while we watch.
    const chart = page.locator('[data-group="default"] figure[data-chart="bitrate"]');
    const before = Number(await chart.getAttribute("data-points"));
    await waitFor(async () => Number(await chart.getAttribute("data-points")) >= before + 2, {
      timeoutMs: 15_000,
      what: "the bitrate chart to grow",
    });
    assert.notEqual(
      await page.locator('[data-group="default"] [data-metric="bitrate"]').innerText(),
      "—",
    );
    const stats = await nginx.stat();
    assert.ok(stats.every((d) => d.streams.some((s) => s.publishing)), JSON.stringify(stats));
    await screenshots(page, "go-live");

    // A platform drops: the target reconnects on its own, with a countdown, then is live again.
    await nginx.stopServer(1);
    await page.locator('[data-target="beta"][data-state="reconnecting"]').waitFor({
      timeout: 20_000,
    });
    assert.equal(await alpha.count(), 1, "the other target stays live");
    await screenshot(page, "go-live-reconnecting-desktop");
    await nginx.startServer(1);
    await beta.waitFor({ timeout: 30_000 });

    await page.getByRole("button", { name: "Stop all" }).click();
    await page.locator('[data-target="alpha"][data-state="stopped"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-target="beta"][data-state="stopped"]').waitFor({ timeout: 15_000 });
    await page.locator(".on-air").waitFor({ state: "detached" });

    assert.deepEqual(await console.errors(), []);
  } finally {
    await publisher?.stop();
    await browser.close();
    await desktop.stop();
    await nginx.stop();
  }
});
