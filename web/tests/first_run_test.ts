import assert from "node:assert/strict";
import {
  freePort,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
} from "@spiritstream/testing";
import {
  DESKTOP,
  ensureBuilt,
  launchBrowser,
  PHONE,
  screenshot,
  startDesktop,
  watchConsole,
} from "./harness.ts";

Deno.test("first run: an empty install guides to a live stream (profile, platform, OBS settings, go live)", async () => {
  await ensureBuilt();
  const nginx = await startNginxRtmp({ apps: 1 });
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  let publisher: TestPublisher | null = null;
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/`);

    // Step 1: a name (and, tucked away, the port OBS connects to).
    await page.getByRole("heading", { name: "Welcome: let’s get you live" }).waitFor();
    await both(page, "first-run-1-name");
    await page.getByLabel("Profile name").fill("Evening show");
    await page.getByText("Advanced: the port OBS connects to").click();
    const ingestPort = freePort();
    await page.getByLabel("Ingest port").fill(String(ingestPort));
    await page.getByRole("button", { name: "Next: platforms" }).click();

    // Step 2: platforms from the presets, each with its key.
    await page.getByRole("heading", { name: "Where do you go live?" }).waitFor();
    const create = page.getByRole("button", { name: "Create the profile" });
    assert.equal(await create.isDisabled(), true, "nothing picked: nothing to create");
    await page.getByRole("button", { name: "Twitch" }).click();
    assert.equal(
      await page.getByLabel("Twitch server URL").inputValue(),
      "rtmp://live.twitch.tv/app",
      "a preset fills the platform's server",
    );
    await page.getByRole("button", { name: "Other RTMP server" }).click();
    const full = nginx.url(0, "evening");
    const cut = full.lastIndexOf("/");
    await page.getByLabel("RTMP server URL").fill(full.slice(0, cut));
    await page.getByLabel("RTMP stream key").fill(full.slice(cut + 1));
    await both(page, "first-run-2-platforms");
    // No network to Twitch here: this run goes to the local server only.
    await page.getByRole("button", { name: "Twitch" }).click();
    await create.click();

    // Step 3: the exact OBS settings, while the new profile's ingest already listens.
    await page.getByRole("heading", { name: "Set up OBS" }).waitFor();
    assert.equal(
      await page.locator('[data-obs="server"]').innerText(),
      `rtmp://127.0.0.1:${ingestPort}/live`,
    );
    assert.equal(await page.locator('[data-obs="rate-control"]').innerText(), "CBR");
    assert.equal(await page.locator('[data-obs="keyframe"]').innerText(), "2 s");
    assert.match(await page.locator('[data-obs="bitrate"]').innerText(), /^6000 Kbps/);
    await page.locator('.first-run [data-state="waiting"]').waitFor({ timeout: 15_000 });
    await both(page, "first-run-3-obs");

    publisher = await startPublisher(`rtmp://127.0.0.1:${ingestPort}/live/obs`);
    await page.locator('.first-run [data-state="live"]').waitFor({ timeout: 15_000 });
    await page.getByText("OBS is connected: you can go live.").waitFor();
    await both(page, "first-run-3-obs-connected");
    await page.getByRole("button", { name: "Done: to the dashboard" }).click();

    // The dashboard has the new profile active, and says what it waits for.
    await page.getByText("OBS is sending: press Go live.").waitFor();
    assert.equal(await page.getByLabel("Profile").inputValue(), "Evening show");
    await both(page, "first-run-dashboard-ready");
    await page.getByRole("button", { name: "Go live" }).click();
    await page.locator('.groups [data-target][data-state="live"]').waitFor({ timeout: 30_000 });
    await page.getByText("On air with “Evening show”.").waitFor();
    const stats = await nginx.stat();
    assert.ok(stats[0]?.streams.some((s) => s.publishing), JSON.stringify(stats));

    // Stop all closes the ingest: the badge says so, not "Waiting for OBS".
    await page.getByRole("button", { name: "Stop all" }).click();
    await page.locator('.ingest [data-state="idle"]').waitFor({ timeout: 15_000 });
    await page.getByText("The ingest is closed: Go live opens it again.").waitFor();
    assert.equal(await page.locator('.ingest [data-state="waiting"]').count(), 0);
    await both(page, "first-run-dashboard-stopped");

    assert.deepEqual(await console.errors(), []);
  } finally {
    await publisher?.stop();
    await browser.close();
    await desktop.stop();
    await nginx.stop();
  }
});

async function both(page: import("playwright-core").Page, name: string): Promise<void> {
  await screenshot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await screenshot(page, `${name}-phone`);
  await page.setViewportSize(DESKTOP);
}
