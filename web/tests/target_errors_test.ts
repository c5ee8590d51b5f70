import assert from "node:assert/strict";
import { freePort, startPublisher, type TestPublisher } from "@spiritstream/testing";
import {
  ensureBuilt,
  ingestUrl,
  launchBrowser,
  openDashboard,
  passthroughProfile,
  saveProfile,
  screenshots,
  startDesktop,
  watchConsole,
} from "./harness.ts";

Deno.test("an unreachable target shows its sentence on the dashboard; Details shows the raw cause", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  let publisher: TestPublisher | null = null;
  try {
    const ingestPort = freePort();
    // Nothing listens on this port: the target's connection is refused.
    const deadPort = freePort();
    await saveProfile(
      desktop.base,
      passthroughProfile({
        id: "errors",
        name: "Errors",
        ingestPort,
        targets: [{
          id: "dead",
          service: "Custom",
          name: "My Server",
          url: `rtmp://127.0.0.1:${deadPort}/live`,
          streamKey: "dead-target-key-1234",
        }],
      }),
    );

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await openDashboard(page, desktop.base, "Errors");
    await page.locator('.ingest [data-state="waiting"]').waitFor({ timeout: 15_000 });
    publisher = await startPublisher(ingestUrl(ingestPort));
    await page.locator('.ingest [data-state="live"]').waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Go live" }).click();

    const row = page.locator('[data-target="dead"]');
    const sentence = row.locator(".target-error p");
    await sentence.waitFor({ timeout: 30_000 });
    assert.match(
      await sentence.innerText(),
      /^"My Server": nothing accepts connections at that address \(connection refused\)\. Check the server URL and port/,
    );
    const cause = row.locator(".target-error-details code");
    assert.equal(await cause.isVisible(), false, "the raw cause waits behind Details");
    await row.getByText("Details").click();
    await cause.waitFor({ state: "visible" });
    assert.match(await cause.innerText(), /Connection refused \(os error 111\)/);
    assert.doesNotMatch(await row.innerText(), /dead-target-key-1234/, "no key on screen");
    await screenshots(page, "target-error");

    assert.deepEqual(await console.errors(), []);
  } finally {
    await publisher?.stop();
    await browser.close();
    await desktop.stop();
  }
});
