import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  ensureBuilt,
  invoke,
  launchBrowser,
  screenshot,
  startDesktop,
  watchConsole,
} from "./harness.ts";

const MASK = "••••••••";

async function profileNames(page: Page): Promise<string[]> {
  return await page.locator(".profile-list [data-profile]").evaluateAll((items) =>
    items.map((item) => item.getAttribute("data-profile") ?? "")
  );
}

Deno.test("profiles: create, edit targets with a hidden key, duplicate, rename, reorder and delete through the UI", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/profiles`);
    await page.getByRole("heading", { level: 1, name: "Profiles" }).waitFor();

    await page.getByRole("button", { name: "New profile" }).click();
    const dialog = page.getByRole("dialog", { name: "New profile" });
    await dialog.getByLabel("Name").fill("Main show");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { level: 1, name: "Profile “Main show”" }).waitFor();

    // The exact values to paste into OBS: the page's host stands in for 0.0.0.0.
    assert.equal(
      await page.locator('[data-obs="server"]').innerText(),
      "rtmp://127.0.0.1:1935/live",
    );

    await page.getByRole("button", { name: "Add target" }).click();
    const target = page.locator(".target-edit").first();
    await target.getByLabel("Platform").selectOption("Twitch");
    assert.equal(await target.getByLabel("Server URL").inputValue(), "rtmp://live.twitch.tv/app");
    const key = target.getByLabel("Stream key");
    assert.equal(await key.getAttribute("type"), "password", "keys are hidden while typed");
    await key.fill("live_secret_123");
    await page.getByRole("button", { name: "Add output group" }).click();
    const group = page.locator(".group-edit").nth(1);
    await group.getByLabel("Preset").selectOption({ label: "1080p · 60 fps · 9000 kbps" });
    assert.equal(await group.getByLabel("Width").inputValue(), "1920");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Profile saved.").waitFor();

    // After the save the key comes back masked; "Show" asks the server for it.
    const saved = page.locator(".target-edit").first().getByLabel("Stream key");
    assert.equal(await saved.inputValue(), MASK);
    const stored = await invoke(desktop.base, "load_profile", {
      name: "Main show",
      setActive: false,
    });
    assert.equal(
      JSON.stringify(stored.data).includes("live_secret_123"),
      false,
      "load_profile masks keys",
    );
    await page.locator(".target-edit").first().getByRole("button", { name: "Show" }).click();
    await page.waitForFunction(
      () =>
        (document.querySelector(".target-edit input[type=text][spellcheck=false]") as
          | HTMLInputElement
          | null)?.value,
    );
    assert.equal(await saved.inputValue(), "live_secret_123");

    await page.getByRole("link", { name: "Back" }).click();
    await page.getByRole("heading", { level: 1, name: "Profiles" }).waitFor();
    const row = page.locator('[data-profile="Main show"]');
    await row.getByText(/1 target/).waitFor();
    // Created through the dialog, it became the active profile (its ingest opened for OBS).
    await row.locator(".chip-live", { hasText: "Active" }).waitFor();

    await row.getByRole("button", { name: "Duplicate" }).click();
    await page.getByRole("dialog").getByLabel("New name").fill("Backup show");
    await page.getByRole("dialog").getByRole("button", { name: "Duplicate" }).click();
    await page.locator('[data-profile="Backup show"]').waitFor();
    assert.deepEqual(await profileNames(page), ["Main show", "Backup show"]);

    await page.getByRole("button", { name: "Move Backup show up" }).click();
    await page.waitForFunction(() =>
      document.querySelector(".profile-list [data-profile]")?.getAttribute("data-profile") ===
        "Backup show"
    );
    const order = await invoke(desktop.base, "get_profile_summaries");
    assert.deepEqual((order.data as { name: string }[]).map((s) => s.name), [
      "Backup show",
      "Main show",
    ]);

    await page.locator('[data-profile="Backup show"]').getByRole("button", { name: "Rename" })
      .click();
    await page.getByRole("dialog").getByLabel("New name").fill("Spare");
    await page.getByRole("dialog").getByRole("button", { name: "Rename" }).click();
    await page.locator('[data-profile="Spare"]').waitFor();
    await screenshot(page, "profiles-list-desktop");

    await page.locator('[data-profile="Spare"]').getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete profile" }).click();
    await page.locator('[data-profile="Spare"]').waitFor({ state: "detached" });
    assert.deepEqual(await profileNames(page), ["Main show"]);
    const names = await invoke(desktop.base, "get_all_profiles");
    assert.deepEqual(names.data, ["Main show"]);

    // Export writes one bundle (keys under a passphrase); importing that bundle reads it back.
    const exportDir = `${desktop.dataDir}/exports`;
    await Deno.mkdir(exportDir, { recursive: true });
    await page.getByRole("button", { name: "Export…" }).click();
    const exporting = page.getByRole("dialog", { name: "Export settings and profiles" });
    await exporting.getByLabel("File or folder on the server").fill(exportDir);
    await exporting.getByLabel("Passphrase").fill("bundle-passphrase");
    await exporting.getByRole("button", { name: "Export" }).click();
    await page.getByText(`Exported to ${exportDir}.`).waitFor();
    const [bundle] = await Array.fromAsync(Deno.readDir(exportDir));
    assert.ok(bundle?.isFile, "the export wrote a bundle file");
    await page.getByRole("button", { name: "Import…" }).click();
    const importing = page.getByRole("dialog", { name: "Import settings and profiles" });
    await importing.getByLabel("Path on the server").fill(`${exportDir}/${bundle.name}`);
    await importing.getByLabel("Passphrase (bundles only)").fill("bundle-passphrase");
    await importing.getByRole("button", { name: "Import" }).click();
    await page.getByText(/^Imported \d+ profile/).waitFor();

    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
