import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  type Desktop,
  ensureBuilt,
  launchBrowser,
  startDesktop,
  type TestBrowser,
  watchConsole,
} from "./harness.ts";

const TOKEN = "web-test-token-0123456789";

/** A token-protected desktop host and a browser page on it; fails on any console error. */
async function onTokenHost(
  run: (host: { desktop: Desktop; browser: TestBrowser; page: Page }) => Promise<void>,
): Promise<void> {
  await ensureBuilt();
  const desktop = await startDesktop({ SPIRITSTREAM_API_TOKEN: TOKEN });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/`);
    await run({ desktop, browser, page });
    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
}

Deno.test("login: token mode asks for the token, refuses a wrong one, opens the dashboard with live updates, signs out", () =>
  onTokenHost(async ({ page }) => {
    await page.getByRole("heading", { name: "SpiritStream" }).waitFor();
    await page.getByText("This server needs you to sign in.").waitFor();

    await page.getByLabel("Access token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").filter({ hasText: "not right" }).waitFor();
    assert.equal(await page.getByRole("heading", { level: 1, name: "Dashboard" }).count(), 0);

    await page.getByLabel("Access token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.locator('[data-conn="open"]').waitFor({ timeout: 10_000 });

    // The session cookie carries over a reload: no second sign-in.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    assert.equal(await page.getByLabel("Access token").count(), 0);

    // Signing out ends the server session: a reload asks again.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("This server needs you to sign in.").waitFor();
    await page.reload();
    await page.getByLabel("Access token").waitFor();
  }));

Deno.test("login: a session ended elsewhere (logout from another client) turns the open dashboard to sign-in", () =>
  onTokenHost(async ({ desktop, browser, page }) => {
    // The socket's first state refresh must have answered: a call still on the wire when the
    // session ends elsewhere rightly gets a 401 (which the browser logs).
    const refreshed = page.waitForResponse((r) => r.url().endsWith("/get_stream_state"));
    await page.getByLabel("Access token").fill(TOKEN);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.locator('[data-conn="open"]').waitFor({ timeout: 10_000 });
    await refreshed;
    await page.waitForLoadState("networkidle");

    // Another client ends this very session (as a revocation by an admin would).
    const session = (await browser.context.cookies()).find((c) =>
      c.name === "spiritstream_session"
    );
    assert.ok(session, "the sign-in set the session cookie");
    const out = await fetch(`${desktop.base}/auth/logout`, {
      method: "POST",
      headers: { cookie: `${session.name}=${session.value}` },
    });
    assert.equal(out.status, 200);
    await out.body?.cancel();

    // No click, no reload: the server closes the socket and the page asks to sign in again.
    await page.getByText("This server needs you to sign in.").waitFor({ timeout: 10_000 });
  }));
