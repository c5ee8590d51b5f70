import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  ensureTestClip,
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
  screenshots,
  splitUrl,
  startDesktop,
  watchConsole,
} from "./harness.ts";

function value(page: Page, field: string) {
  return page.locator(`.ingest-media [data-field="${field}"] dd`);
}

Deno.test("ingest panel: 1280x720 30 fps H.264 with a 2 s keyframe interval, per-target charts, zero when OBS leaves, and the warning for 8 s", async () => {
  await ensureBuilt();
  const [twoSeconds, eightSeconds] = await Promise.all([
    ensureTestClip({ width: 1280, height: 720, fps: 30, seconds: 10 }),
    // 16 s holds two whole 8 s GOPs, so the looped clip keeps one keyframe every 8 s.
    ensureTestClip({ width: 1280, height: 720, fps: 30, seconds: 16, gopSeconds: 8 }),
  ]);
  const nginx = await startNginxRtmp({ apps: 2 });
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  let publisher: TestPublisher | null = null;
  try {
    const ingestPort = freePort();
    await saveProfile(
      desktop.base,
      passthroughProfile({
        id: "ingest-info",
        name: "Ingest info",
        ingestPort,
        // Platform services on local servers: their limits apply, nothing leaves the machine.
        targets: [
          { id: "tw", service: "Twitch", name: "Main channel", ...splitUrl(nginx.url(0, "tw")) },
          { id: "yt", service: "YouTube - RTMP", name: "", ...splitUrl(nginx.url(1, "yt")) },
        ],
      }),
    );

    const page = await browser.context.newPage();
    const consoleErrors = watchConsole(page);
    await openDashboard(page, desktop.base, "Ingest info");
    await page.locator('.ingest [data-state="waiting"]').waitFor({ timeout: 15_000 });
    assert.equal(await page.locator(".ingest-media").count(), 0, "nothing arrives yet");

    const url = ingestUrl(ingestPort);
    publisher = await startPublisher(url, { clip: twoSeconds });
    await page.locator('.ingest [data-state="live"]').waitFor({ timeout: 15_000 });
    await waitFor(async () => (await value(page, "keyframe").innerText()) === "2 s", {
      timeoutMs: 20_000,
      what: "the keyframe interval to be measured",
    });
    assert.equal(await value(page, "codec").innerText(), "H.264 High 3.1");
    assert.equal(await value(page, "resolution").innerText(), "1280×720");
    await waitFor(async () => (await value(page, "fps").innerText()) === "30 fps", {
      what: "30 fps",
    });
    assert.match(await value(page, "bitrate").innerText(), /^\d+(\.\d)? (kbps|Mbps)$/);
    assert.notEqual(await value(page, "bitrate").innerText(), "0 kbps");
    assert.equal(await value(page, "audio").innerText(), "AAC-LC · 48 kHz · mono");
    assert.equal(await page.locator(".ingest-warnings").count(), 0, "2 s is fine everywhere");
    const outgoing = page.locator(".stat", { hasText: "Outgoing" }).locator(".stat-value");
    assert.equal(await outgoing.innerText(), "0 kbps", "nothing goes out before Go live");
    await screenshots(page, "ingest-info");

    // Live: each target draws its own bitrate chart, and only live targets count as outgoing.
    await page.getByRole("button", { name: "Go live" }).click();
    for (const id of ["tw", "yt"]) {
      await page.locator(`[data-target="${id}"][data-state="live"]`).waitFor({ timeout: 30_000 });
    }
    const twChart = page.locator('[data-target="tw"] figure[data-chart="target-bitrate"]');
    await waitFor(async () => Number(await twChart.getAttribute("data-points")) >= 3, {
      timeoutMs: 15_000,
      what: "the Twitch target's chart to grow",
    });
    await page.locator('[data-target="yt"] figure[data-chart="target-bitrate"]').waitFor();
    await waitFor(async () => (await outgoing.innerText()) !== "0 kbps", {
      what: "an outgoing bitrate",
    });
    await screenshots(page, "ingest-targets");

    // OBS leaves: the panel and the rates go with it, not seconds later.
    await publisher.stop();
    publisher = null;
    await page.locator('.ingest [data-state="waiting"]').waitFor({ timeout: 5_000 });
    assert.equal(await page.locator(".ingest-media").count(), 0);
    await waitFor(async () => (await outgoing.innerText()) === "0 kbps", {
      timeoutMs: 5_000,
      what: "outgoing to drop to zero once OBS left",
    });

    // An 8 s keyframe interval: above what YouTube and Twitch accept.
    publisher = await startPublisher(url, { clip: eightSeconds });
    const warning = page.locator('[data-warning="keyframe_interval"]');
    await warning.waitFor({ timeout: 40_000 });
    assert.equal(
      await warning.innerText(),
      "Keyframe interval is 8 s; Twitch and YouTube accept at most 4 s: " +
        "set Keyframe Interval to 2 s in OBS (Settings → Output).",
    );
    assert.equal(await value(page, "keyframe").innerText(), "8 s");
    assert.equal(await value(page, "keyframe").getAttribute("class"), "warn-text");
    await screenshots(page, "ingest-keyframe-warning");

    await page.getByRole("button", { name: "Stop all" }).click();
    await page.locator('[data-target="tw"][data-state="stopped"]').waitFor({ timeout: 15_000 });
    assert.deepEqual(await consoleErrors.errors(), []);
  } finally {
    await publisher?.stop();
    await browser.close();
    await desktop.stop();
    await nginx.stop();
  }
});
