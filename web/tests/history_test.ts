import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  duplicateKeys,
  freePort,
  type NginxRtmp,
  startNginxRtmp,
  startPublisher,
  type TestPublisher,
  waitFor,
} from "@spiritstream/testing";
import {
  ensureBuilt,
  ingestUrl,
  invoke,
  launchBrowser,
  openDashboard,
  passthroughProfile,
  saveProfile,
  screenshots,
  splitUrl,
  startDesktop,
  watchConsole,
} from "./harness.ts";

const KEYS = { alpha: "alpha-key-0123456789", beta: "beta-key-9876543210" };

async function mediaArrived(nginx: NginxRtmp): Promise<boolean> {
  const stats = await nginx.stat();
  return stats.every((d) => d.streams.some((s) => s.publishing && s.bytesIn > 100_000));
}

/** One go-live through the dashboard: OBS connects, Go live, media reaches both, Stop all. */
async function goLiveOnce(
  page: Page,
  nginx: NginxRtmp,
  options: { base: string; ingestPort: number },
): Promise<void> {
  const { base, ingestPort } = options;
  let publisher: TestPublisher | null = null;
  try {
    await page.getByRole("button", { name: "Go live" }).click();
    publisher = await startPublisher(ingestUrl(ingestPort));
    await page.locator('[data-target="alpha"][data-state="live"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-target="beta"][data-state="live"]').waitFor({ timeout: 30_000 });
    await waitFor(() => mediaArrived(nginx), { what: "media at both targets", timeoutMs: 20_000 });
    // Sent bytes arrive with the engine's once-a-second stats: let one reach the session.
    await waitFor(async () => {
      const [running] = (await invoke(base, "get_stream_sessions", { limit: 1 })).data as {
        endedAt: number | null;
        targets: { bytes: number }[];
      }[];
      return running?.endedAt === null && running.targets.length === 2 &&
        running.targets.every((t) => t.bytes > 0);
    }, { what: "sent bytes in the running session", timeoutMs: 20_000 });
    await page.getByRole("button", { name: "Stop all" }).click();
    await page.locator('[data-target="alpha"][data-state="stopped"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-target="beta"][data-state="stopped"]').waitFor({ timeout: 15_000 });
  } finally {
    await publisher?.stop();
  }
}

Deno.test("history: two go-lives with a real publisher are two sessions; logs fold reads, copy diagnostics, and the log file is redacted with one key per field", async (t) => {
  await ensureBuilt();
  const nginx = await startNginxRtmp({ apps: 2 });
  const desktop = await startDesktop({ SPIRITSTREAM_LOG_LEVEL: "debug" });
  const browser = await launchBrowser();
  try {
    const ingestPort = freePort();
    await saveProfile(
      desktop.base,
      passthroughProfile({
        id: "history",
        name: "History",
        ingestPort,
        targets: [
          { id: "alpha", service: "Custom", name: "Alpha", ...splitUrl(nginx.url(0, KEYS.alpha)) },
          { id: "beta", service: "Custom", name: "Beta", ...splitUrl(nginx.url(1, KEYS.beta)) },
        ],
      }),
    );
    await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], {
      origin: desktop.base,
    });
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await openDashboard(page, desktop.base, "History");
    await page.getByText("Ready: 2 targets").waitFor();

    await t.step("History lists both go-lives, newest first, with bytes per target", async () => {
      await goLiveOnce(page, nginx, { base: desktop.base, ingestPort });
      await goLiveOnce(page, nginx, { base: desktop.base, ingestPort });
      await page.goto(`${desktop.base}/#/history`);
      await page.reload(); // the go-lives' toasts would cover the screenshots
      await page.getByRole("heading", { level: 1, name: "History" }).waitFor();
      const sessions = page.locator(".session");
      await waitFor(async () => (await sessions.count()) === 2, {
        what: "two sessions",
        timeoutMs: 10_000,
      });
      assert.equal(await page.locator('.session[data-state="ended"]').count(), 2);
      // Names come from the active profile, restored after the reload.
      await waitFor(
        // A RegExp: a string would match the id "beta" too (hasText ignores case).
        async () => (await page.locator("[data-name]", { hasText: /^Beta$/ }).count()) === 2,
        {
          what: "target names in both sessions",
        },
      );
      for (const session of await sessions.all()) {
        const text = await session.innerText();
        assert.match(text, /Duration\s+0:\d\d/i);
        assert.match(text, /Group\s+Passthrough/i);
        for (const target of ["alpha", "beta"]) {
          const row = session.locator(`tr[data-target="${target}"]`);
          assert.match(await row.locator("th [data-name]").innerText(), /^(Alpha|Beta)$/);
          assert.equal(await row.locator('[data-state="stopped"]').count(), 1);
          const sent = await row.locator('[data-metric="bytes"]').innerText();
          assert.match(sent, /^\d+(\.\d+)? (kB|MB)$/, `${target} sent ${sent}`);
        }
      }
      const listed = await invoke(desktop.base, "get_stream_sessions", {});
      const [second, first] = listed.data as { startedAt: number; endedAt: number }[];
      assert.ok(second!.startedAt >= first!.endedAt, "newest first, one after the other");
      await screenshots(page, "history");
    });

    await t.step("Logs names commands and folds the successful reads away", async () => {
      await page.goto(`${desktop.base}/#/logs`);
      await page.getByRole("heading", { level: 1, name: "Logs" }).waitFor();
      const log = page.getByRole("list", { name: "Log lines" });
      await log.getByText(/Command done: start_all_streams/).first().waitFor();
      assert.equal(await log.getByText(/Command done: get_/).count(), 0, "reads folded");
      await page.getByText(/successful reads? folded away/).waitFor();
      await screenshots(page, "logs");
      await page.getByRole("button", { name: "Show successful reads" }).click();
      await log.getByText(/Command done: get_\w+ \(\d+ ms\)/).first().waitFor();
    });

    await t.step(
      "Copy diagnostics puts versions, settings, encoders and logs on the clipboard, no key",
      async () => {
        await page.getByRole("button", { name: "Copy diagnostics" }).click();
        await page.getByText("Diagnostics copied").waitFor();
        const text = await page.evaluate(() => navigator.clipboard.readText());
        const d = JSON.parse(text);
        assert.equal(d.versions.deno, Deno.version.deno);
        assert.match(d.versions.ffmpeg, /^ffmpeg version /);
        assert.ok(Array.isArray(d.encoderReport) && d.encoderReport.length > 0);
        assert.equal(typeof d.settings.logRetentionDays, "number");
        assert.ok(d.recentLogs.some((l: string) => l.includes("start_all_streams")));
        assert.deepEqual(d.problems, []);
        assert.doesNotMatch(text, new RegExp(`${KEYS.alpha}|${KEYS.beta}`));
      },
    );
    assert.deepEqual(await console.errors(), []);

    await t.step("the log file holds the go-lives: JSON, one key per field, no key", async () => {
      await desktop.kill();
      const file = `${desktop.dataDir}/logs/spiritstream.log`;
      const text = await Deno.readTextFile(file);
      const lines = text.trimEnd().split("\n");
      assert.ok(lines.some((l) => l.includes('"RTMP push is publishing"')), "a real go-live");
      const doubled = lines.map((l) => [duplicateKeys(l), l] as const).filter(([k]) => k.length);
      assert.deepEqual(doubled, []);
      assert.doesNotMatch(text, new RegExp(`${KEYS.alpha}|${KEYS.beta}`));
      assert.equal((await Deno.stat(file)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${desktop.dataDir}/logs`)).mode! & 0o777, 0o700);
    });
  } finally {
    await browser.close();
    await desktop.stop();
    await nginx.stop();
  }
});
