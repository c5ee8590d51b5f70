import assert from "node:assert/strict";
import { ensureBuilt, launchBrowser, startDesktop, watchConsole } from "./harness.ts";

const FIXTURE = new URL("./testdata/foreign_ui/", import.meta.url).pathname;

Deno.test("a foreign UI in SPIRITSTREAM_UI_DIR is served unchanged, its inline script runs and its own meta CSP applies", async () => {
  const desktop = await startDesktop({ SPIRITSTREAM_UI_DIR: FIXTURE });
  const browser = await launchBrowser();
  try {
    const res = await fetch(`${desktop.base}/`);
    const served = await res.text();
    assert.equal(served, await Deno.readTextFile(`${FIXTURE}index.html`), "byte for byte");
    assert.equal(res.headers.get("content-security-policy"), null, "no CSP of ours on it");
    const asset = await fetch(`${desktop.base}/assets/app.js`);
    assert.equal(await asset.text(), await Deno.readTextFile(`${FIXTURE}assets/app.js`));
    assert.equal(asset.headers.get("content-security-policy"), null);
    // The SPA fallback is the same page, and our API answers still carry our policy.
    const deep = await fetch(`${desktop.base}/settings/general`);
    assert.equal(await deep.text(), served);
    assert.equal(deep.headers.get("content-security-policy"), null);
    const health = await fetch(`${desktop.base}/health`);
    await health.body?.cancel();
    assert.match(health.headers.get("content-security-policy") ?? "", /script-src 'self'/);

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/`);
    await page.getByText("booted").waitFor({ timeout: 15_000 });
    const html = page.locator("html");
    assert.equal(await html.getAttribute("data-theme"), "spirit-dark", "the inline script ran");
    assert.equal(await html.getAttribute("data-eval"), "blocked", "its own meta CSP applies");
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, "rgb(12, 10, 20)", "styled by its theme from the first paint");
    // Chromium reports the eval its own policy refused; nothing else went wrong.
    const errors = (await console.errors()).filter((e) => !/unsafe-eval/.test(e));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});

Deno.test("our own dashboard keeps the strict CSP", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  try {
    const res = await fetch(`${desktop.base}/`);
    assert.match(await res.text(), /<meta name="spiritstream-dashboard"/);
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /script-src 'self';/);
  } finally {
    await desktop.stop();
  }
});
