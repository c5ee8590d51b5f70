import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import { ensureBuilt, launchBrowser, screenshots, startDesktop, watchConsole } from "./harness.ts";

Deno.test("users mode: the first admin is made through the dashboard's form with the printed setup token", async () => {
  await ensureBuilt();
  const desktop = await startDesktop({ SPIRITSTREAM_AUTH_MODE: "users" });
  const browser = await launchBrowser();
  try {
    let token = "";
    await waitFor(() => {
      token = /SpiritStream setup token: (\S+) /.exec(desktop.output())?.[1] ?? "";
      return token !== "";
    }, { what: "the setup token line on stderr" });

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/`);
    await page.getByRole("heading", { name: "Create the first admin" }).waitFor();
    // It says where the token is, for every way of running the server.
    for (
      const where of ["deno task start", "docker compose logs auth", "kubectl -n spiritstream"]
    ) {
      await page.getByText(where).waitFor();
    }
    await screenshots(page, "first-admin");

    await page.getByLabel("Setup token").fill("setup_wrong-wrong-wrong");
    await page.getByLabel("Your email").fill("first@example.test");
    await page.getByLabel("Choose a password").fill("first-admin-pass");
    await page.getByRole("button", { name: "Create the admin and sign in" }).click();
    await page.getByText("That setup token is not right").waitFor();

    await page.getByLabel("Setup token").fill(token);
    await page.getByLabel("Choose a password").fill("first-admin-pass");
    await page.getByRole("button", { name: "Create the admin and sign in" }).click();
    // Signed in as that admin, on an empty install: the guided setup follows.
    await page.getByRole("heading", { name: "Welcome: let’s get you live" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    // Once an admin exists the form is gone: the usual sign-in, where the new account works.
    await page.getByText("This server needs you to sign in.").waitFor();
    assert.equal(await page.getByRole("heading", { name: "Create the first admin" }).count(), 0);
    await page.getByLabel("Email").fill("first@example.test");
    await page.getByLabel("Password").fill("first-admin-pass");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Welcome: let’s get you live" }).waitFor();
    assert.ok(!(await console.errors()).some((e) => e.includes(token)), "no token in the console");
    assert.deepEqual(
      (await console.errors()).filter((e) => !/status of 40[01]/.test(e)),
      [],
    );
  } finally {
    await browser.close();
    await desktop.stop();
  }
});
