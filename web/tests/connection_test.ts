import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import {
  ensureBuilt,
  invoke,
  launchBrowser,
  screenshot,
  startDesktop,
  startDropProxy,
  watchConsole,
} from "./harness.ts";

Deno.test("connection: the indicator shows a lost server, the socket comes back by itself and resumes after the last event", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    const sockets: string[] = [];
    const ids: string[] = [];
    const events: string[] = [];
    page.on("websocket", (ws) => {
      sockets.push(ws.url());
      ws.on("framereceived", ({ payload }) => {
        const frame = JSON.parse(String(payload));
        events.push(frame.event);
        if (frame.id) ids.push(frame.id);
      });
    });
    await page.goto(`${desktop.base}/`);
    await page.locator('[data-conn="open"]').waitFor();
    assert.match(sockets[0]!, /\/ws\?snapshot=1$/);

    // An event with an id, so a reconnect has something to resume after.
    const saved = await invoke(desktop.base, "save_settings", {
      settings: { ffmpegPath: "", logRetentionDays: 7 },
    });
    assert.equal(saved.ok, true, saved.error ?? "");
    await waitFor(() => ids.length > 0, { what: "an event frame with an id" });

    await desktop.kill();
    const offline = page.locator('[data-conn="reconnecting"]');
    await offline.waitFor();
    assert.match(await offline.innerText(), /retry in \d+ s/);
    await screenshot(page, "offline-desktop");
    // A screen opened while the server is away says so in a sentence, with a way to retry.
    await page.evaluate(() => (location.hash = "#/settings"));
    await page.getByText("Cannot reach the SpiritStream server").waitFor();
    assert.equal(await page.getByRole("button", { name: "Try again" }).count(), 1);

    // Stay away long enough for several failed attempts (the app then re-checks its session).
    await page.locator('[data-conn="reconnecting"][data-attempts="3"]').waitFor({
      timeout: 20_000,
    });
    await desktop.restart();
    await page.locator('[data-conn="open"]').waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Try again" }).click();
    assert.equal(await page.getByLabel("Keep logs for (days)").inputValue(), "7");
    const resumed = sockets.slice(1);
    assert.ok(resumed.length >= 1, "the socket reconnected by itself");
    assert.ok(
      resumed.some((url) => url.includes("since=")),
      `a reconnect resumes with ?since= (${resumed.join(", ")})`,
    );

    // Live events flow again, even though the restarted server counts its ids from the start.
    const seen = events.length;
    await invoke(desktop.base, "save_settings", {
      settings: { ffmpegPath: "", logRetentionDays: 9 },
    });
    await waitFor(() => events.slice(seen).includes("settings_changed"), {
      what: `a settings_changed frame after the restart (${sockets.join(" ")} ${
        JSON.stringify(events)
      } ${JSON.stringify(ids)})`,
    });

    const lost = (e: string) =>
      /WebSocket connection to .* failed|ERR_CONNECTION_REFUSED|Failed to load resource: net::/
        .test(e);
    assert.deepEqual((await console.errors()).filter((e) => !lost(e)), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});

Deno.test("connection: after a network drop the socket resumes with ?since= and replays what it missed", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const proxy = startDropProxy(desktop.port);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const sockets: string[] = [];
    const frames: { event: string; id: number }[] = [];
    page.on("websocket", (ws) => {
      sockets.push(ws.url());
      ws.on("framereceived", ({ payload }) => {
        const frame = JSON.parse(String(payload));
        frames.push({ event: frame.event, id: Number(frame.id) });
      });
    });
    await page.goto(`http://127.0.0.1:${proxy.port}/#/settings`);
    await page.getByLabel("Keep logs for (days)").waitFor();
    // The snapshot is the server's sign that this socket now receives events.
    await waitFor(() => frames.some((f) => f.event === "snapshot"), { what: "the snapshot frame" });
    await invoke(desktop.base, "save_settings", {
      settings: { ffmpegPath: "", logRetentionDays: 5 },
    });
    await waitFor(() => frames.some((f) => f.event === "settings_changed"), {
      what: "a first event",
    });
    const before = Math.max(...frames.filter((f) => f.event !== "snapshot").map((f) => f.id));

    proxy.cut();
    await page.locator('[data-conn="reconnecting"]').waitFor();
    // Happens while the browser is cut off: only a replay can bring it.
    await invoke(desktop.base, "save_settings", {
      settings: { ffmpegPath: "", logRetentionDays: 6 },
    });
    const missed = frames.length;
    proxy.restore();
    await page.locator('[data-conn="open"]').waitFor({ timeout: 20_000 });
    await waitFor(
      () => frames.slice(missed).some((f) => f.event === "settings_changed" && f.id > before),
      {
        what: "the missed settings_changed replayed",
      },
    );
    const resumed = sockets.slice(1);
    assert.ok(
      resumed.every((url) => url.includes("since=")),
      `every reconnect resumes (${resumed.join(", ")})`,
    );
  } finally {
    await browser.close();
    await proxy.close();
    await desktop.stop();
  }
});
