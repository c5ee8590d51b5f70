import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ensureBuilt, invoke, launchBrowser, startDesktop, watchConsole } from "./harness.ts";

const HINT = "127.0.0.1: only this computer (OBS here). 0.0.0.0 or a LAN address: " +
  "other machines can publish; requires an ingest key.";

/** The form field whose label is exactly `label` (hints may mention other fields' names). */
function field(page: Page, label: string) {
  return page.locator("label.field", {
    has: page.locator(".field-label", { hasText: new RegExp(`^${label}$`) }),
  });
}

async function storedInput(base: string, name: string): Promise<Record<string, unknown>> {
  const reply = await invoke(base, "load_profile", { name, setActive: false });
  assert.equal(reply.ok, true, reply.error ?? "");
  return (reply.data as { input: Record<string, unknown> }).input;
}

Deno.test("profile editor: the ingest address says who can publish, and a missing ingest key shows at the field", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/profiles`);
    await page.getByRole("button", { name: "New profile" }).click();
    const dialog = page.getByRole("dialog", { name: "New profile" });
    await dialog.getByLabel("Name").fill("Studio");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { level: 1, name: "Profile “Studio”" }).waitFor();

    const address = field(page, "Listen on");
    assert.equal(await address.locator("input").inputValue(), "127.0.0.1", "loopback by default");
    assert.equal(await address.locator(".hint").innerText(), HINT);

    await address.locator("input").fill("0.0.0.0");
    await page.getByRole("button", { name: "Save changes" }).click();
    const error = address.locator(".field-error[role=alert]");
    await error.waitFor();
    assert.match(await error.innerText(), /an ingest key is required because the ingest listens/);
    assert.equal(await address.locator("input").getAttribute("aria-invalid"), "true");
    const key = field(page, "Ingest key");
    assert.equal(await key.locator("input").getAttribute("aria-invalid"), "true");
    assert.equal(await key.locator(".field-error").count(), 0, "said once, at the address");
    assert.equal((await storedInput(desktop.base, "Studio")).bindAddress, "127.0.0.1");

    // Giving the key answers the refusal: the error goes, the save goes through.
    await key.locator("input").fill("studio-ingest-key-1");
    assert.equal(await error.count(), 0);
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Profile saved.").waitFor();
    const saved = await storedInput(desktop.base, "Studio");
    assert.equal(saved.bindAddress, "0.0.0.0");
    assert.equal(saved.streamKey, "••••••••");
    // The one refused save is Chromium's "Failed to load resource … 400" line, nothing else.
    const errors = await console.errors();
    assert.deepEqual(
      errors.filter((e) => !/^Failed to load resource.*400.*\/api\/invoke\/save_profile$/.test(e)),
      [],
    );
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
