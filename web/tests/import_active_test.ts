import assert from "node:assert/strict";
import {
  demoProfile,
  ensureBuilt,
  invoke,
  launchBrowser,
  startDesktop,
  watchConsole,
} from "./harness.ts";

Deno.test("profiles: an imported profile becomes the active one", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    // A bundle holding "Imported", exported and then removed from this host.
    const exportDir = `${desktop.dataDir}/exports`;
    await Deno.mkdir(exportDir, { recursive: true });
    const bundle = `${exportDir}/bundle.json`;
    for (
      const [command, args] of [
        ["save_profile", { profile: { ...demoProfile("Imported") as object, id: "imported" } }],
        ["export_data", { exportPath: bundle, passphrase: "bundle-passphrase" }],
        ["delete_profile", { name: "Imported" }],
        ["save_profile", { profile: { ...demoProfile("Here") as object, id: "here" } }],
      ] as const
    ) {
      const reply = await invoke(desktop.base, command, args);
      assert.equal(reply.ok, true, `${command}: ${reply.error}`);
    }

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/profiles`);
    await page.locator('[data-profile="Here"] .chip-live').waitFor();
    await page.getByRole("button", { name: "Import…" }).click();
    const importing = page.getByRole("dialog", { name: "Import settings and profiles" });
    await importing.getByLabel("Path on the server").fill(bundle);
    await importing.getByLabel("Passphrase (bundles only)").fill("bundle-passphrase");
    await importing.getByRole("button", { name: "Import" }).click();
    await page.getByText(/^Imported 1 profile/).waitFor();
    await page.locator('[data-profile="Imported"] .chip-live', { hasText: "Active" }).waitFor();
    assert.equal(await page.locator('[data-profile="Here"] .chip-live').count(), 0);
    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
