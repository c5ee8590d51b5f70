import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  demoProfile,
  DESKTOP,
  ensureBuilt,
  invoke,
  launchBrowser,
  PHONE,
  screenshot,
  startDesktop,
  watchConsole,
} from "./harness.ts";

const SCREENS = [
  { link: "Dashboard", heading: "Dashboard", file: "dashboard" },
  { link: "Stream control", heading: "Stream control", file: "stream" },
  { link: "Profiles", heading: "Profiles", file: "profiles" },
  { link: "Encoders", heading: "Encoders", file: "encoders" },
  { link: "Logs", heading: "Logs", file: "logs" },
  { link: "Chat", heading: "Chat", file: "chat" },
  { link: "Recordings", heading: "Recordings", file: "recordings" },
  { link: "Settings", heading: "Settings", file: "settings" },
  { link: "Users & tokens", heading: "Users & tokens", file: "users" },
];

async function unnamedButtons(page: Page): Promise<number> {
  return await page.$$eval(
    "button",
    (buttons) =>
      buttons.filter((b) => !b.textContent?.trim() && !b.getAttribute("aria-label")).length,
  );
}

async function settled(page: Page, heading: string): Promise<void> {
  await page.getByRole("heading", { level: 1, name: heading }).waitFor();
  await page.waitForFunction(() => !document.querySelector(".loading"));
}

async function openEditor(page: Page): Promise<void> {
  await page.locator('[data-profile="Evening show"]').getByRole("button", { name: "Edit" }).click();
  await settled(page, "Profile “Evening show”");
}

Deno.test("dashboard: every screen opens from the nav at desktop and phone width, without console errors", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    const seeded = await invoke(desktop.base, "save_profile", {
      profile: demoProfile("Evening show"),
    });
    assert.equal(seeded.ok, true, seeded.error ?? "");
    const page = await browser.context.newPage();
    const console = watchConsole(page);

    // Desktop in the dark palette, phone in the light one: both themes get looked at.
    await page.emulateMedia({ colorScheme: "dark" });
    await page.setViewportSize(DESKTOP);
    await page.goto(`${desktop.base}/`);
    await settled(page, "Dashboard");
    await page.locator('[data-conn="open"]').waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
    await page.locator('[data-group="vertical"]').waitFor();
    for (const s of SCREENS) {
      await page.getByRole("navigation").getByRole("link", { name: s.link, exact: true }).click();
      await settled(page, s.heading);
      assert.equal(await unnamedButtons(page), 0, `every button on ${s.file} has a name`);
      await screenshot(page, `${s.file}-desktop`);
      if (s.file === "profiles") {
        await openEditor(page);
        await screenshot(page, "profile-editor-desktop");
      }
    }

    await page.emulateMedia({ colorScheme: "light" });
    await page.setViewportSize(PHONE);
    await page.reload();
    await settled(page, "Users & tokens");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "light");
    const menu = page.getByRole("button", { name: "Menu" });
    for (const s of SCREENS) {
      assert.equal(
        await page.getByRole("navigation").isVisible(),
        false,
        "the nav is collapsed on phones",
      );
      await menu.click();
      assert.equal(await menu.getAttribute("aria-expanded"), "true");
      await page.getByRole("navigation").getByRole("link", { name: s.link, exact: true }).click();
      await settled(page, s.heading);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(
        width <= PHONE.width,
        `${s.file} fits a phone without sideways scrolling (${width}px)`,
      );
      await screenshot(page, `${s.file}-phone`);
      if (s.file === "profiles") {
        await openEditor(page);
        await screenshot(page, "profile-editor-phone");
      }
    }

    // A deep link to an unknown screen falls back to the dashboard (SPA fallback + hash router).
    await page.goto(`${desktop.base}/some/deep/link#/nowhere`);
    await settled(page, "Dashboard");

    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
