import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { freePort, type OidcProvider, startOidcProvider } from "@spiritstream/testing";
import { ensureBuilt, launchBrowser, startDesktop } from "./harness.ts";

const ADMIN = { email: "admin@example.com", password: "admin-passphrase" };
const CLIENT = { clientId: "spiritstream-desktop", clientSecret: "client-secret-for-the-test" };
const ALICE = {
  id: "alice",
  username: "alice",
  name: "Alice",
  email: "alice@acme.test",
  groups: ["streamers"],
};

async function signInWithPassword(page: Page, credentials: { email: string; password: string }) {
  await page.getByText("This server needs you to sign in.").waitFor();
  await page.getByLabel("Email", { exact: true }).fill(credentials.email);
  await page.getByLabel("Password", { exact: true }).fill(credentials.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The provider's own (development) login and consent pages, as a person fills them. */
async function signInAtProvider(page: Page, provider: OidcProvider, login: string) {
  await page.waitForURL((url) => url.href.startsWith(provider.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await page.locator('button[type="submit"]').click(); // consent
}

/** Fills the tenant admin's sign-in form on Users & tokens and saves it. */
async function saveSignIn(page: Page, settings: { issuer: string; passwordLogin: boolean }) {
  const form = page.getByRole("form", { name: "Sign-in settings" });
  await form.getByLabel("Tenant slug").fill("home");
  await form.getByLabel("Email domains").fill("acme.test");
  await form.getByLabel("Use an identity provider (OpenID Connect)").check();
  await form.getByLabel("Provider name").fill("Acme ID");
  await form.getByLabel("Issuer URL").fill(settings.issuer);
  await form.getByLabel("Client ID").fill(CLIENT.clientId);
  await form.getByLabel("Client secret").fill(CLIENT.clientSecret);
  await form.getByLabel("Scopes").fill("openid email profile groups");
  await form.getByLabel("Group → role").fill("streamers = operator");
  await form.getByLabel("Create accounts on first sign-in (just in time)").check();
  await form.getByLabel("Allow password sign-in").setChecked(settings.passwordLogin);
  await form.getByRole("button", { name: "Save sign-in settings" }).click();
}

async function whoami(page: Page) {
  return await page.evaluate(async () => {
    const res = await fetch("/api/invoke/auth_whoami", { method: "POST", body: "{}" });
    return (await res.json()).data;
  });
}

Deno.test("SSO in Chromium: a tenant admin sets up the provider, a foreign issuer is refused, a just-in-time user gets the role of their group, password sign-in is off", async () => {
  await ensureBuilt();
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const client = { ...CLIENT, redirectUris: [`${base}/auth/sso/callback`] };
  const idp = await startOidcProvider({ clients: [client], users: [ALICE] });
  const other = await startOidcProvider({ clients: [client], users: [ALICE] });
  // Claims an issuer of its own and hands out the other provider's tokens (a mix-up).
  const frontPort = freePort();
  const front = `http://127.0.0.1:${frontPort}`;
  const otherDoc = await (await fetch(`${other.issuer}/.well-known/openid-configuration`)).json();
  const frontServer = Deno.serve(
    { port: frontPort, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ ...otherDoc, issuer: front }),
  );
  const desktop = await startDesktop({
    SPIRITSTREAM_PORT: String(port),
    SPIRITSTREAM_AUTH_MODE: "users",
    SPIRITSTREAM_ADMIN_EMAIL: ADMIN.email,
    SPIRITSTREAM_ADMIN_PASSWORD: ADMIN.password,
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${base}/`);
    await signInWithPassword(page, ADMIN);
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();

    // The settings are validated: the server's message names the field.
    await page.goto(`${base}/#/users`);
    await page.getByRole("heading", { name: "Sign-in and identity provider" }).waitFor();
    await saveSignIn(page, { issuer: "ftp://idp.example", passwordLogin: true });
    await page.getByText(/Could not save the sign-in settings: .*issuer.*https/).waitFor();

    // A provider whose tokens come from another issuer: the callback refuses them.
    await saveSignIn(page, { issuer: front, passwordLogin: true });
    await page.getByText("Sign-in settings saved.").waitFor();
    // A listed domain waits for the host operator (here the same person) before login uses it.
    await page.getByRole("status", { name: "Domains waiting for approval" })
      .filter({ hasText: "acme.test" }).waitFor();
    await page.goto(`${base}/#/tenants`);
    await page.getByRole("heading", { name: "Email domains waiting for approval" }).waitFor();
    await page.getByRole("button", { name: "Approve acme.test for local" }).click();
    await page.getByText("Approved acme.test for local.").waitFor();
    // The queue is empty once decided.
    await page.getByRole("heading", { name: "Email domains waiting for approval" })
      .waitFor({ state: "detached" });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("This server needs you to sign in.").waitFor();
    await page.getByLabel("Email", { exact: true }).fill("alice@acme.test");
    await page.getByRole("link", { name: "Sign in with Acme ID" }).click();
    await signInAtProvider(page, other, "alice");
    await page.getByText(/id_token was refused: it comes from another issuer/).waitFor();
    assert.equal(await page.getByRole("heading", { name: "Sign-in failed" }).count(), 1);

    // The real provider, with password sign-in off.
    await page.goto(`${base}/`);
    await signInWithPassword(page, ADMIN);
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    await page.goto(`${base}/#/users`);
    await page.getByRole("heading", { name: "Sign-in and identity provider" }).waitFor();
    await saveSignIn(page, { issuer: idp.issuer, passwordLogin: false });
    await page.getByText("Sign-in settings saved.").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();

    await signInWithPassword(page, ADMIN);
    await page.getByRole("alert").filter({ hasText: "Password sign-in is turned off" }).waitFor();

    await page.goto(`${base}/?tenant=home`);
    await page.getByRole("link", { name: "Sign in with Acme ID" }).click();
    await signInAtProvider(page, idp, "alice");
    await page.getByRole("heading", { level: 1, name: "Dashboard" }).waitFor();
    const me = await whoami(page);
    assert.equal(me.email, "alice@acme.test", "a just-in-time account");
    assert.equal(me.role, "operator", "the role of the streamers group");
    assert.equal(me.via, "session");
  } finally {
    await browser.close();
    await desktop.stop();
    await frontServer.shutdown();
    await other.close();
    await idp.close();
  }
});
