import assert from "node:assert/strict";
import { ensureBuilt, launchBrowser, screenshot, startDesktop, watchConsole } from "./harness.ts";

const HOST = { email: "host@example.test", password: "host-password-1" };

Deno.test("tenants: the host operator creates a tenant, its admin signs up from the link shown once and invites a user, then the operator suspends and deletes it", async () => {
  await ensureBuilt();
  const desktop = await startDesktop({
    SPIRITSTREAM_AUTH_MODE: "users",
    SPIRITSTREAM_ADMIN_EMAIL: HOST.email,
    SPIRITSTREAM_ADMIN_PASSWORD: HOST.password,
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    const signIn = async (who: { email: string; password: string }) => {
      await page.getByText("This server needs you to sign in.").waitFor();
      await page.getByLabel("Email").fill(who.email);
      await page.getByLabel("Password").fill(who.password);
      await page.getByRole("button", { name: "Sign in" }).click();
    };
    await page.goto(`${desktop.base}/#/tenants`);
    await signIn(HOST);
    await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
    await page.getByRole("article", { name: "Tenant local" }).waitFor();

    const form = page.getByRole("form", { name: "New tenant" });
    await form.getByLabel("Tenant id").fill("acme-studio");
    await form.getByLabel("Name").fill("Acme Studio");
    await form.getByLabel("First admin's email").fill("boss@acme.test");
    await form.getByRole("button", { name: "Create tenant and invite" }).click();
    await page.getByText("it is shown only once").waitFor();
    const link = await page.getByTestId("invite-link").innerText();
    assert.match(link, /#\/invite\/ssi_/);
    const acme = page.getByRole("article", { name: "Tenant acme-studio" });
    await acme.getByLabel("Live output groups").fill("1");
    await acme.getByRole("button", { name: "Save quotas" }).click();
    await page.getByText("Saved the quotas of acme-studio.").waitFor();
    await screenshot(page, "tenants-host-operator");

    // The invited admin, in this browser after the operator signs out.
    await page.getByRole("button", { name: "Sign out" }).click();
    // Signed out for real before the link opens: a sign-out answered late (a loaded machine)
    // would otherwise end the session the invitation is about to start.
    await page.getByText("This server needs you to sign in.").waitFor();
    await page.goto(link);
    await page.getByRole("heading", { name: "Accept your invitation" }).waitFor();
    await page.getByLabel("Choose a password").fill("boss-password-1");
    await page.getByRole("button", { name: "Create my account and sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await page.goto(`${desktop.base}/#/users`);
    await page.getByRole("heading", { level: 1, name: "Users & tokens" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Tenants" }).count(), 0, "no Tenants link");
    const invite = page.getByRole("form", { name: "Invite someone" });
    await invite.getByLabel("Email").fill("crew@acme.test");
    await invite.getByLabel("Role").selectOption("viewer");
    await invite.getByRole("button", { name: "Create invite link" }).click();
    await page.getByText("Send this link to crew@acme.test (viewer)").waitFor();
    await page.getByRole("cell", { name: "Live output groups" }).waitFor();
    await screenshot(page, "tenants-tenant-admin");

    // The same link a second time does not work (again signed out for real first).
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("This server needs you to sign in.").waitFor();
    await page.goto(link);
    await page.getByRole("heading", { name: "Accept your invitation" }).waitFor();
    await page.getByLabel("Choose a password").fill("another-password");
    await page.getByRole("button", { name: "Create my account and sign in" }).click();
    await page.getByText("used already, withdrawn or expired").waitFor();

    await page.goto(`${desktop.base}/#/tenants`);
    await signIn(HOST);
    const row = page.getByRole("article", { name: "Tenant acme-studio" });
    await row.getByRole("button", { name: "Suspend" }).click();
    await row.getByTestId("tenant-status").getByText("suspended").waitFor();
    await row.getByRole("button", { name: "Delete…" }).click();
    await row.getByLabel("Tenant id to confirm").fill("acme-studio");
    await row.getByRole("button", { name: "Delete acme-studio" }).click();
    const report = page.getByRole("status", { name: "Deletion report" });
    await report.getByText("Deleted acme-studio. Removed:").waitFor();
    assert.match(await report.innerText(), /auth_users 1/);
    await page.getByRole("article", { name: "Tenant acme-studio" }).waitFor({ state: "detached" });
    assert.ok(!(await console.errors()).some((e) => e.includes("ssi_")), "no token in the console");
    assert.deepEqual(
      (await console.errors()).filter((e) => !/status of 40[01]/.test(e)),
      [],
    );
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
