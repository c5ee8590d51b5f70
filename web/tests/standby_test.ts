import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ensureBuilt, invoke, launchBrowser, startDesktop } from "./harness.ts";

function field(page: Page, label: string) {
  return page.locator("label.field", {
    has: page.locator(".field-label", { hasText: new RegExp(`^${label}$`) }),
  });
}

async function storedStandby(base: string, name: string): Promise<Record<string, unknown>> {
  const reply = await invoke(base, "load_profile", { name, setActive: false });
  assert.equal(reply.ok, true, reply.error ?? "");
  return (reply.data as { input: { standby: Record<string, unknown> } }).input.standby;
}

Deno.test("profile editor: the standby slate is set per profile; an image outside the allowed folders is refused at its field", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${desktop.base}/#/profiles`);
    await page.getByRole("button", { name: "New profile" }).click();
    const dialog = page.getByRole("dialog", { name: "New profile" });
    await dialog.getByLabel("Name").fill("Slate");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { level: 1, name: "Profile “Slate”" }).waitFor();

    const mode = field(page, "When OBS drops").locator("select");
    assert.equal(await mode.inputValue(), "off", "off by default");
    await mode.selectOption("image");
    await field(page, "Image path").locator("input").fill("/etc/passwd");
    await page.getByRole("button", { name: "Save changes" }).click();
    const error = field(page, "Image path").locator(".field-error[role=alert]");
    await error.waitFor();
    assert.match(await error.innerText(), /inside the data folder or the home folder/i);

    await mode.selectOption("card");
    assert.equal(
      await field(page, "Title").locator("input").getAttribute("placeholder"),
      "Slate",
      "the card's title is the profile's name unless given",
    );
    await field(page, "Message").locator("input").fill("Back in a minute");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Profile saved.").waitFor();
    const saved = await storedStandby(desktop.base, "Slate");
    assert.equal(saved.mode, "card");
    assert.equal(saved.message, "Back in a minute");
    assert.equal(saved.graceSecs, 2);
    assert.equal(saved.maxStandbySecs, 600);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
