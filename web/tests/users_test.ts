import assert from "node:assert/strict";
import { ensureBuilt, launchBrowser, screenshot, startDesktop, watchConsole } from "./harness.ts";

const ADMIN = { email: "admin@example.test", password: "admin-password-1" };

Deno.test("users: an admin signs in with email and password, adds a user, creates a one-time API token and revokes it", async () => {
  await ensureBuilt();
  const desktop = await startDesktop({
    SPIRITSTREAM_AUTH_MODE: "users",
    SPIRITSTREAM_ADMIN_EMAIL: ADMIN.email,
    SPIRITSTREAM_ADMIN_PASSWORD: ADMIN.password,
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/users`);
    await page.getByText("This server needs you to sign in.").waitFor();
    assert.equal(
      await page.getByLabel("Access token").count(),
      0,
      "users mode shows the account form only",
    );
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Users & tokens" }).waitFor();
    await page.getByRole("cell", { name: ADMIN.email }).waitFor();

    const newUser = page.getByRole("form", { name: "New user" });
    await newUser.getByLabel("Email").fill("operator@example.test");
    await newUser.getByLabel("Password").fill("operator-password-1");
    await newUser.getByRole("button", { name: "Add user" }).click();
    await page.getByRole("cell", { name: "operator@example.test" }).waitFor();

    const newToken = page.getByRole("form", { name: "New API token" });
    await newToken.getByLabel("Token name").fill("stream deck");
    await newToken.getByRole("button", { name: "Create token" }).click();
    await page.getByText("Copy this token now: it is shown only once.").waitFor();
    const secret = await page.locator(".notice code").innerText();
    assert.ok(secret.length >= 16, "the new token is shown once");
    await screenshot(page, "users-admin-desktop");

    // The token works as a bearer credential, then stops working once revoked.
    const call = () =>
      fetch(`${desktop.base}/api/invoke/get_settings`, {
        method: "POST",
        headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
        body: "{}",
      }).then(async (res) => (await res.body?.cancel(), res.status));
    assert.equal(await call(), 200);
    await page.getByRole("button", { name: "Done" }).click();
    await page.getByRole("row", { name: /stream deck/ }).getByRole("button", { name: "Revoke" })
      .click();
    await page.getByText("Revoked “stream deck”.").waitFor();
    assert.equal(await call(), 401);

    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
