import assert from "node:assert/strict";
import {
  demoProfile,
  ensureBuilt,
  invoke,
  launchBrowser,
  saveProfile,
  startDesktop,
} from "./harness.ts";

Deno.test("oauth callback sent by another page (Chromium): a code, state or error text this tab never asked for is not acted on: no oauth_complete_flow call, no provider text shown", async () => {
  await ensureBuilt();
  const desktop = await startDesktop({ SPIRITSTREAM_TWITCH_CLIENT_ID: "forged-test-client" });
  const browser = await launchBrowser();
  try {
    await saveProfile(desktop.base, demoProfile("Show"));
    const loaded = await invoke(desktop.base, "load_profile", { name: "Show", setActive: true });
    assert.equal(loaded.ok, true, loaded.error ?? "");
    const page = await browser.context.newPage();
    const completes: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/invoke/oauth_complete_flow")) completes.push(request.url());
    });
    const notCompleted = page.getByText("Sign-in was not completed").first();
    const refused = page.getByText("Sign-in was not completed: this tab did not start it");

    // What a hostile page can do: send the browser here with words of its choosing...
    const phish = "Your account is locked: call 555-0100";
    await page.goto(
      `${desktop.base}/oauth/callback?error=access_denied&state=twitch.forged&error_description=${
        encodeURIComponent(phish)
      }`,
    );
    await notCompleted.waitFor();
    assert.equal(await page.getByText(phish).count(), 0, "the page's text was shown");
    assert.equal(await refused.count(), 1);

    // ...or with a code and a state of its own.
    await page.goto(`${desktop.base}/oauth/callback?code=attacker-code&state=twitch.forged`);
    await page.waitForURL((url) => url.hash === "#/integrations");
    await notCompleted.waitFor();
    await page.waitForTimeout(500);
    assert.deepEqual(completes, [], "the dashboard tried to finish a sign-in it never started");
    assert.equal(await refused.count(), 1);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
