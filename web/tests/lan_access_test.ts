import assert from "node:assert/strict";
import {
  demoProfile,
  ensureBuilt,
  launchBrowser,
  screenshots,
  startDesktop,
  watchConsole,
} from "./harness.ts";

const TOKEN = "lan-test-token-0123456789";

Deno.test("remote access: the dashboard shows the LAN address and a QR code for it; loopback shows none", async () => {
  await ensureBuilt();
  const desktop = await startDesktop({
    SPIRITSTREAM_HOST: "0.0.0.0",
    SPIRITSTREAM_API_TOKEN: TOKEN,
  });
  const browser = await launchBrowser();
  try {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const saved = await fetch(`${desktop.base}/api/invoke/save_profile`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ profile: demoProfile("Phone") }),
    }).then((r) => r.json());
    assert.equal(saved.ok, true, saved.error ?? "");
    // The address is authenticated like the API.
    assert.equal(
      await fetch(`${desktop.base}/api/lan`).then(async (r) => (await r.body?.cancel(), r.status)),
      401,
    );
    const expected = Deno.networkInterfaces()
      .filter((i) =>
        i.family === "IPv4" && !i.address.startsWith("127.") && !i.address.startsWith("169.254.")
      )
      .map((i) => `http://${i.address}:${desktop.port}`);
    assert.ok(expected.length > 0, "this machine has a LAN address to show");

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/`);
    await page.getByLabel("Access token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Open on your phone" }).waitFor();
    assert.deepEqual(await page.locator("[data-lan-url]").allInnerTexts(), [...new Set(expected)]);
    const qr = page.getByRole("img", { name: `QR code for ${expected[0]}` });
    assert.ok((await qr.locator("svg path").getAttribute("d"))!.length > 100, "a drawn QR code");
    await screenshots(page, "lan-access");
    // What the phone opens answers: the dashboard itself, over the LAN address.
    const remote = await fetch(`${expected[0]}/`);
    assert.equal(remote.status, 200);
    assert.match(await remote.text(), /<div id="app"|<!doctype html>/i);
    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }

  // On loopback nothing else can reach the dashboard: no address, no card.
  const local = await startDesktop();
  try {
    const res = await fetch(`${local.base}/api/lan`);
    assert.deepEqual(await res.json(), { urls: [] });
  } finally {
    await local.stop();
  }
});
