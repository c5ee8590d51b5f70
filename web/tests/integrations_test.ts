import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { ProfileSettings } from "@spiritstream/contracts";
import {
  freePort,
  startHttpsReceiver,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
} from "@spiritstream/testing";
import {
  demoProfile,
  DESKTOP,
  ensureBuilt,
  invoke,
  launchBrowser,
  openDashboard,
  passthroughProfile,
  saveProfile,
  screenshot,
  screenshots,
  splitUrl,
  startDesktop,
  watchConsole,
} from "./harness.ts";

const MASK = "••••••••";

async function openIntegrations(page: Page, base: string | null): Promise<void> {
  if (base === null) await page.reload();
  else await page.goto(`${base}/#/integrations`);
  await page.getByRole("heading", { level: 1, name: "Integrations" }).waitFor();
  await page.waitForFunction(() => !document.querySelector(".loading"));
}

/** Closes the toasts the steps left, so the screenshots show the screen itself. */
async function dismissToasts(page: Page): Promise<void> {
  const dismiss = page.getByRole("button", { name: "Dismiss" });
  while (await dismiss.count()) await dismiss.first().click();
}

/** The profile's settings as stored (secrets in clear: the open host is its owner). */
async function storedSettings(base: string, name: string): Promise<ProfileSettings> {
  const reply = await invoke(base, "load_profile", { name, revealKeys: true });
  assert.equal(reply.ok, true, reply.error ?? "");
  return (reply.data as { settings: ProfileSettings }).settings;
}

Deno.test("integrations: OBS settings save and show OBS's live state (a closed port's error); Discord's test reaches a real HTTPS webhook; alerts save; refusals show on their field", async () => {
  await ensureBuilt();
  const receiver = await startHttpsReceiver();
  const hooks = `${receiver.base}/api/webhooks/`;
  // The host trusts the receiver's test CA, and may post under its base.
  const desktop = await startDesktop({
    DENO_CERT: receiver.caFile,
    SPIRITSTREAM_WEBHOOK_BASE: hooks,
  });
  const browser = await launchBrowser();
  try {
    const seeded = await invoke(desktop.base, "save_profile", { profile: demoProfile("Show") });
    assert.equal(seeded.ok, true, seeded.error ?? "");
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.setViewportSize(DESKTOP);
    await openIntegrations(page, desktop.base);
    await page.getByText("Saved in the profile “Show”.").waitFor();
    const obs = page.getByRole("form", { name: "OBS connection" });
    const link = page.locator("[data-obs]");
    assert.equal(await link.getAttribute("data-obs"), "disconnected");
    assert.equal(await link.innerText(), "Disconnected");

    // OBS: settings saved into the profile and applied to the server's link.
    const closed = freePort();
    await obs.getByLabel("OBS host").fill("127.0.0.1");
    await obs.getByLabel("OBS port").fill(String(closed));
    await obs.getByLabel("OBS password").fill("obs-secret-pass");
    await obs.getByLabel("Link with going live").selectOption("spiritstream-to-obs");
    await obs.getByLabel(/^Link on the server/).check();
    await obs.getByRole("button", { name: "Save OBS settings" }).click();
    await page.getByText("OBS settings saved.").waitFor();
    const applied = (await invoke(desktop.base, "obs_get_config")).data;
    assert.deepEqual(applied, {
      host: "127.0.0.1",
      port: closed,
      password: "obs-secret-pass",
      useAuth: true,
      direction: "spiritstream-to-obs",
      autoConnect: false,
      serverLink: true,
    });
    assert.deepEqual((await storedSettings(desktop.base, "Show")).obs, applied);
    // The typed password leaves the page once saved: the field keeps only the mask.
    assert.equal(await obs.getByLabel("OBS password").inputValue(), MASK);

    // Connecting to a port where nothing listens: the server's sentence, on the card.
    await obs.getByRole("button", { name: "Connect", exact: true }).click();
    const failure = obs.getByRole("alert");
    await failure.waitFor();
    assert.match(
      await failure.innerText(),
      new RegExp(`^Failed to connect to OBS at 127\\.0\\.0\\.1:${closed}: `),
    );
    assert.equal(await link.getAttribute("data-obs"), "error");
    assert.equal(
      await obs.getByRole("button", { name: "Start streaming in OBS" }).isDisabled(),
      true,
    );

    // The state follows the server's events, not only this page's own calls.
    await invoke(desktop.base, "obs_disconnect");
    await page.locator('[data-obs="disconnected"]').waitFor();
    assert.equal(await obs.getByRole("alert").count(), 0);
    await invoke(desktop.base, "obs_connect");
    await page.locator('[data-obs="error"]').waitFor();

    // Discord: a URL outside the allowed bases is refused on its field, for the test and the save.
    const discord = page.getByRole("form", { name: "Discord go-live message" });
    const webhook = discord.getByLabel("Discord webhook URL");
    await webhook.fill("https://evil.example/api/webhooks/1/abc");
    await discord.getByRole("button", { name: "Send test" }).click();
    const urlRule = discord.locator(".field-error");
    await urlRule.waitFor();
    assert.match(
      await urlRule.innerText(),
      /^webhook URL must start with https:\/\/discord\.com\/api\/webhooks\//,
    );
    await discord.getByRole("button", { name: "Save Discord settings" }).click();
    await page.getByText(/^Could not save the Discord settings:/).waitFor();
    assert.match(await urlRule.innerText(), /^webhook URL must start with/);
    assert.equal((await storedSettings(desktop.base, "Show")).discord.webhookUrl, "");

    // "Send test" posts to the real HTTPS receiver, then the settings save.
    const token = `hooktoken${crypto.randomUUID().replaceAll("-", "")}`;
    const webhookUrl = `${hooks}42/${token}`;
    await webhook.fill(webhookUrl);
    await discord.getByRole("button", { name: "Send test" }).click();
    await discord.getByText("Test message sent.").waitFor();
    const [test] = await receiver.waitFor("/api/webhooks/42/", 1);
    assert.equal((test!.json as { username: string }).username, "SpiritStream");
    assert.equal(await discord.locator(".field-error").count(), 0);
    await discord.getByLabel(/^Post a message to Discord/).check();
    await discord.getByLabel("Go-live message").fill("We are live, come in!");
    await discord.getByLabel("Cooldown (seconds)").fill("300");
    await discord.getByRole("button", { name: "Save Discord settings" }).click();
    await page.getByText("Discord settings saved.").waitFor();
    assert.deepEqual((await storedSettings(desktop.base, "Show")).discord, {
      webhookEnabled: true,
      webhookUrl,
      goLiveMessage: "We are live, come in!",
      cooldownEnabled: true,
      cooldownSeconds: 300,
      imagePath: "",
    });

    // Alerts: the json format wants an https:// URL, said on the field; a good one saves.
    const alerts = page.getByRole("form", { name: "Outage alerts" });
    await alerts.getByLabel("Send outage alerts").check();
    await alerts.getByLabel("Alert format").selectOption("json");
    await alerts.getByLabel("Alert webhook URL").fill("http://alerts.example/hook");
    await alerts.getByRole("button", { name: "Save alerts" }).click();
    await page.getByText(/^Could not save the alerts:/).waitFor();
    await alerts.locator(".field-error").waitFor();
    assert.match(await alerts.locator(".field-error").innerText(), /https/);
    await alerts.getByLabel("Alert webhook URL").fill(`${receiver.base}/alerts`);
    await alerts.getByLabel("Alert after (seconds)").fill("45");
    await alerts.getByRole("button", { name: "Save alerts" }).click();
    await page.getByText("Alerts saved.").waitFor();
    assert.equal(await alerts.locator(".field-error").count(), 0);
    assert.deepEqual((await storedSettings(desktop.base, "Show")).alerts, {
      enabled: true,
      webhookUrl: `${receiver.base}/alerts`,
      format: "json",
      afterSecs: 45,
    });

    // After a reload every secret is the mask; the stored webhook still sends the test.
    await openIntegrations(page, null);
    await page.getByText("Saved in the profile “Show”.").waitFor();
    assert.equal(await obs.getByLabel("OBS password").inputValue(), MASK);
    assert.equal(await webhook.inputValue(), MASK);
    assert.equal(await alerts.getByLabel("Alert webhook URL").inputValue(), MASK);
    assert.equal(await page.getByLabel("Alert after (seconds)").inputValue(), "45");
    await discord.getByRole("button", { name: "Send test" }).click();
    await discord.getByText("Test message sent.").waitFor();
    await receiver.waitFor("/api/webhooks/42/", 2);
    const html = await page.content();
    for (const secret of [token, "obs-secret-pass"]) assert.ok(!html.includes(secret), secret);

    await page.locator('[data-obs="error"]').waitFor();
    await dismissToasts(page);
    await screenshots(page, "integrations");

    // Refused on purpose above: the closed port, the foreign webhook, the plain-http alert URL.
    const expected = /\/api\/invoke\/(obs_connect|discord_test_webhook|save_profile)/;
    const unexpected = (await console.errors()).filter((e) =>
      !(e.includes("status of 400") && expected.test(e))
    );
    assert.deepEqual(unexpected, []);
  } finally {
    await browser.close();
    await desktop.stop();
    await receiver.stop();
  }
});

const ADMIN = { email: "admin@example.test", password: "admin-password-1" };
const VIEWER = { email: "viewer@example.test", password: "viewer-password-1" };

/** Calls a command as a signed-in user (users mode). */
async function callAs(base: string, bearer: string, command: string, args: unknown = {}) {
  const res = await fetch(`${base}/api/invoke/${command}`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  assert.equal(body.ok, true, `${command}: ${body.error}`);
  return body.data;
}

Deno.test("integrations: a viewer sees the settings with every secret masked and every control disabled", async () => {
  await ensureBuilt();
  const desktop = await startDesktop({
    SPIRITSTREAM_AUTH_MODE: "users",
    SPIRITSTREAM_ADMIN_EMAIL: ADMIN.email,
    SPIRITSTREAM_ADMIN_PASSWORD: ADMIN.password,
  });
  const browser = await launchBrowser();
  try {
    const tokens = await fetch(`${desktop.base}/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    }).then((res) => res.json());
    const admin = String(tokens.accessToken);
    const secrets = {
      obs: "viewer-must-not-see-obs",
      discord: "https://discord.com/api/webhooks/7/viewer-must-not-see-discord",
      alerts: "https://discord.com/api/webhooks/8/viewer-must-not-see-alerts",
    };
    const profile = demoProfile("Shared") as Record<string, unknown>;
    profile.settings = {
      obs: { host: "obs.lan", port: 4455, password: secrets.obs, useAuth: true },
      discord: { webhookEnabled: true, webhookUrl: secrets.discord, goLiveMessage: "Live!" },
      alerts: { enabled: true, webhookUrl: secrets.alerts, afterSecs: 60 },
    };
    await callAs(desktop.base, admin, "save_profile", { profile });
    await callAs(desktop.base, admin, "load_profile", { name: "Shared", setActive: true });
    await callAs(desktop.base, admin, "create_user", { ...VIEWER, role: "viewer" });

    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/integrations`);
    await page.getByLabel("Email").fill(VIEWER.email);
    await page.getByLabel("Password").fill(VIEWER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { level: 1, name: "Integrations" }).waitFor();
    await page.waitForFunction(() => !document.querySelector(".loading"));
    await page.getByText("Saved in the profile “Shared”.").waitFor();

    assert.equal(await page.getByLabel("OBS host").inputValue(), "obs.lan");
    for (const label of ["OBS password", "Discord webhook URL", "Alert webhook URL"]) {
      assert.equal(await page.getByLabel(label).inputValue(), MASK, label);
    }
    const html = await page.content();
    for (const secret of Object.values(secrets)) {
      assert.ok(!html.includes(secret.split("/").at(-1)!), `the page holds ${secret}`);
    }
    // Every input, select and button of the three cards is disabled; the note says why.
    const cards = page.locator("main form");
    assert.equal(await cards.count(), 3);
    const enabled = await cards.locator(
      "input:enabled, select:enabled, textarea:enabled, button:enabled",
    )
      .count();
    assert.equal(enabled, 0, "a viewer can change nothing");
    assert.equal(await page.getByText("Viewers can look but not change these.").count(), 3);
    await screenshot(page, "integrations-viewer-desktop");

    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});

Deno.test("integrations: Go live posts the Discord go-live message once a target is live, not before, and not again on a reload", async () => {
  await ensureBuilt();
  const receiver = await startHttpsReceiver();
  const hooks = `${receiver.base}/api/webhooks/`;
  const nginx = await startNginxRtmp({ apps: 1 });
  const desktop = await startDesktop({
    DENO_CERT: receiver.caFile,
    SPIRITSTREAM_WEBHOOK_BASE: hooks,
  });
  const browser = await launchBrowser();
  let publisher: TestPublisher | null = null;
  try {
    const ingestPort = freePort();
    await saveProfile(desktop.base, {
      ...passthroughProfile({
        id: "announce",
        name: "Announce",
        ingestPort,
        ingestKey: null,
        targets: [{
          id: "alpha",
          service: "Custom",
          name: "Alpha",
          ...splitUrl(nginx.url(0, "alpha")),
        }],
      }),
      settings: {
        discord: {
          webhookEnabled: true,
          webhookUrl: `${hooks}9/golive`,
          goLiveMessage: "We are on air!",
          cooldownSeconds: 600,
        },
      },
    });
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await openDashboard(page, desktop.base, "Announce");
    await page.getByText("Ready: 1 target").waitFor();
    await page.locator('.ingest [data-state="waiting"]').waitFor({ timeout: 15_000 });
    publisher = await startPublisher(`rtmp://127.0.0.1:${ingestPort}/live`);
    await page.locator('.ingest [data-state="live"]').waitFor({ timeout: 15_000 });

    // The platform is down when Go live is pressed: no target is live, nothing is announced.
    await nginx.stopServer(0);
    await page.getByRole("button", { name: "Go live" }).click();
    await page.getByText("Going live: targets are connecting.").waitFor();
    await page.locator('[data-target="alpha"][data-state="reconnecting"]').waitFor({
      timeout: 20_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await page.locator('[data-target="alpha"][data-state="live"]').count(), 0);
    assert.equal(receiver.to("/api/webhooks/9/").length, 0, "announced before going live");

    // It comes back: the target goes live, and the message is posted once.
    await nginx.startServer(0);
    await page.locator('[data-target="alpha"][data-state="live"]').waitFor({ timeout: 30_000 });
    const [post] = await receiver.waitFor("/api/webhooks/9/", 1);
    assert.deepEqual(post!.json, { content: "We are on air!", username: "SpiritStream" });
    await page.getByText("Go-live message posted to Discord.").waitFor();

    // A reload while live is no new go-live: no second message.
    await page.reload();
    await page.locator('[data-target="alpha"][data-state="live"]').waitFor({ timeout: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(receiver.to("/api/webhooks/9/").length, 1);

    await page.getByRole("button", { name: "Stop all" }).click();
    await page.locator(".on-air").waitFor({ state: "detached", timeout: 15_000 });
    assert.deepEqual(await console.errors(), []);
  } finally {
    await publisher?.stop();
    await browser.close();
    await desktop.stop();
    await nginx.stop();
    await receiver.stop();
  }
});
