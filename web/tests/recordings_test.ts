import assert from "node:assert/strict";
import { freePort, startNginxRtmp, startPublisher, waitFor } from "@spiritstream/testing";
import {
  DESKTOP,
  ensureBuilt,
  ingestUrl,
  invoke,
  launchBrowser,
  passthroughProfile,
  saveProfile,
  screenshot,
  splitUrl,
  startDesktop,
  watchConsole,
} from "./harness.ts";

const KEY = "record-dest-key-0123456";

Deno.test("recordings: switched on in the group editor, a go-live is recorded; the Recordings screen lists it, downloads a range and deletes it", async () => {
  await ensureBuilt();
  const nginx = await startNginxRtmp({ apps: 1 });
  const desktop = await startDesktop({ SPIRITSTREAM_RECORDING_MIN_FREE_MB: "1" });
  const browser = await launchBrowser();
  try {
    const ingestPort = freePort();
    await saveProfile(
      desktop.base,
      passthroughProfile({
        id: "rec",
        name: "Rec",
        ingestPort,
        targets: [{
          id: "alpha",
          service: "Custom",
          name: "Alpha",
          ...splitUrl(nginx.url(0, KEY)),
        }],
      }),
    );
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.setViewportSize(DESKTOP);
    await page.goto(`${desktop.base}/#/profile/Rec`);
    const recording = page.locator("[data-recording-settings]");
    await recording.getByLabel(/Record this group/).check();
    await recording.getByLabel(/New part every/).fill("30");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByRole("button", { name: "Saved" }).waitFor();
    const loaded = await invoke(desktop.base, "load_profile", { name: "Rec" });
    const group = (loaded.data as { outputGroups: { recording?: unknown }[] }).outputGroups[0]!;
    assert.deepEqual(group.recording, {
      enabled: true,
      splitMinutes: 30,
      splitMegabytes: 0,
      allowEncrypted: false,
    });

    await page.goto(`${desktop.base}/`);
    await page.getByLabel("Profile").selectOption("Rec");
    await page.getByText("Ready: 1 target").waitFor();
    await page.getByRole("button", { name: "Go live" }).click();
    const publisher = await startPublisher(ingestUrl(ingestPort));
    try {
      await page.locator('[data-target="alpha"][data-state="live"]').waitFor({ timeout: 30_000 });
      await page.locator('[data-group="default"] [data-recording-note="recording"]').waitFor();
      await new Promise((resolve) => setTimeout(resolve, 5000));
      await page.getByRole("button", { name: "Stop all" }).click();
      await page.locator('[data-target="alpha"][data-state="stopped"]').waitFor();
    } finally {
      await publisher.stop();
    }

    await page.goto(`${desktop.base}/#/recordings`);
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Recordings" }).waitFor();
    const row = page.locator("[data-recording]");
    await waitFor(async () => (await row.count()) === 1, { what: "one recording row" });
    assert.match(await row.innerText(), /Passthrough · part 1/);
    await screenshot(page, "recordings-desktop");

    const href = await row.getByRole("link", { name: "Download" }).getAttribute("href");
    const ranged = await page.evaluate(async (url) => {
      const res = await fetch(url!, { headers: { range: "bytes=0-7" } });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: res.status, range: res.headers.get("content-range"), box: [...bytes] };
    }, href);
    assert.equal(ranged.status, 206);
    assert.match(ranged.range ?? "", /^bytes 0-7\/\d+$/);
    // An MP4 starts with its ftyp box.
    assert.equal(new TextDecoder().decode(new Uint8Array(ranged.box.slice(4, 8))), "ftyp");

    await row.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await waitFor(async () => (await row.count()) === 0, { what: "the row gone" });
    assert.deepEqual((await invoke(desktop.base, "list_recordings", {})).data, []);
    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
    await nginx.stop();
  }
});

Deno.test("recordings: below the free-space limit the dashboard says recording stopped while the target stays live", async () => {
  await ensureBuilt();
  const nginx = await startNginxRtmp({ apps: 1 });
  // 1 TiB free is more than this machine has: the guard trips at the first check.
  const desktop = await startDesktop({ SPIRITSTREAM_RECORDING_MIN_FREE_MB: "1048576" });
  const browser = await launchBrowser();
  try {
    const ingestPort = freePort();
    const profile = passthroughProfile({
      id: "low",
      name: "Low",
      ingestPort,
      targets: [{ id: "alpha", service: "Custom", name: "Alpha", ...splitUrl(nginx.url(0, KEY)) }],
    });
    const groups = profile.outputGroups as Record<string, unknown>[];
    groups[0]!.recording = { enabled: true };
    await saveProfile(desktop.base, profile);
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/`);
    await page.getByLabel("Profile").selectOption("Low");
    await page.getByText("Ready: 1 target").waitFor();
    await page.getByRole("button", { name: "Go live" }).click();
    const publisher = await startPublisher(ingestUrl(ingestPort));
    try {
      const note = page.locator('[data-group="default"] [data-recording-note="stopped"]');
      await note.waitFor({ timeout: 30_000 });
      assert.match(
        await note.innerText(),
        /Recording stopped: less than 1048576 MiB free; streaming goes on/,
      );
      await screenshot(page, "recording-stopped-desktop");
      const before = (await nginx.stat())[0]!.streams.find((s) => s.name === KEY)?.bytesIn ?? 0;
      await waitFor(async () => {
        const now = (await nginx.stat())[0]!.streams.find((s) => s.name === KEY)?.bytesIn ?? 0;
        return now > before + 100_000;
      }, { what: "the target still receiving", timeoutMs: 15_000 });
      await page.locator('[data-target="alpha"][data-state="live"]').waitFor();
      await page.getByRole("button", { name: "Stop all" }).click();
      await page.locator('[data-target="alpha"][data-state="stopped"]').waitFor();
    } finally {
      await publisher.stop();
    }
    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
    await nginx.stop();
  }
});
