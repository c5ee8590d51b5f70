import assert from "node:assert/strict";
import { ensureBuilt, invoke, launchBrowser, startDesktop, watchConsole } from "./harness.ts";

Deno.test("settings: a saved value round-trips through the server and survives a reload; the theme switches", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/settings`);
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();

    const retention = page.getByLabel("Keep logs for (days)");
    const ffmpeg = page.getByLabel("FFmpeg path");
    assert.equal(await retention.inputValue(), "30");
    await retention.fill("14");
    await ffmpeg.fill("/usr/bin/ffmpeg");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByText("Settings saved.").waitFor();

    const stored = await invoke(desktop.base, "get_settings");
    assert.equal(stored.ok, true);
    const data = stored.data as { logRetentionDays: number; ffmpegPath: string };
    assert.equal(data.logRetentionDays, 14);
    assert.equal(data.ffmpegPath, "/usr/bin/ffmpeg");

    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    assert.equal(await page.getByLabel("Keep logs for (days)").inputValue(), "14");
    assert.equal(await page.getByLabel("FFmpeg path").inputValue(), "/usr/bin/ffmpeg");

    // A bad value is stopped by the form itself and nothing is sent.
    await page.getByLabel("Keep logs for (days)").fill("-3");
    await page.getByRole("button", { name: "Save settings" }).click();
    assert.equal(
      await page.getByLabel("Keep logs for (days)").evaluate((el) =>
        (el as HTMLInputElement).validity.valid
      ),
      false,
    );
    assert.equal(
      ((await invoke(desktop.base, "get_settings")).data as { logRetentionDays: number })
        .logRetentionDays,
      14,
    );

    // Testing a path that is not FFmpeg answers with a sentence next to the field.
    await page.getByLabel("FFmpeg path").fill("/nonexistent/ffmpeg");
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const verdict = page.locator(".error-text[role=status]");
    await verdict.waitFor();
    assert.ok((await verdict.innerText()).length > 10);

    const theme = page.getByLabel("Theme");
    await theme.selectOption({ label: "Spirit Light (light)" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "light");
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
    await page.getByLabel("Theme").selectOption({ label: "Spirit Dark (dark)" });
    await page.waitForFunction(() => document.documentElement.dataset.theme === "dark");

    // The refused FFmpeg check above is the only expected failed request.
    const refused = (e: string) =>
      e.includes("status of 400") && e.includes("/api/invoke/validate_ffmpeg_path");
    assert.deepEqual((await console.errors()).filter((e) => !refused(e)), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
