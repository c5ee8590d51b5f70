import assert from "node:assert/strict";
import { startInspircd } from "@spiritstream/testing";
import { IrcClient } from "../../services/profiles/chat/testdata/irc_client.ts";
import { ensureBuilt, launchBrowser, screenshot, startDesktop, watchConsole } from "./harness.ts";

// A real IRC server (InspIRCd) stands in for Twitch chat.
Deno.test("chat screen: connect Twitch, a viewer's message shows in the merged feed with its badge, the send box reaches the channel", async () => {
  await ensureBuilt();
  const irc = await startInspircd();
  const desktop = await startDesktop({
    SPIRITSTREAM_TWITCH_IRC_URL: `irc://127.0.0.1:${irc.port}`,
  });
  const browser = await launchBrowser();
  const viewer = await IrcClient.join(irc.port, "fan42", "#mychannel");
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/chat`);
    await page.getByRole("heading", { level: 1, name: "Chat" }).waitFor();
    const twitch = page.getByRole("region", { name: "Twitch" });
    await twitch.getByLabel("Channel").fill("mychannel");
    await twitch.getByLabel("Chat token (optional)").fill(`tok${crypto.randomUUID()}`);
    await twitch.getByRole("button", { name: "Connect Twitch" }).click();
    await twitch.getByTestId("chat-state").filter({ hasText: /^\s*connected$/ }).waitFor();

    await viewer.send("PRIVMSG #mychannel :GG everyone");
    const line = page.locator(".chat-line").filter({ hasText: "GG everyone" });
    await line.waitFor();
    assert.equal(await line.locator(".badge").textContent(), "twitch");
    assert.equal(await line.locator("strong").textContent(), "fan42");
    await twitch.getByText("1 message", { exact: true }).waitFor();

    await page.getByLabel("Chat message").fill("thanks fan42!");
    await page.getByRole("button", { name: "Send" }).click();
    await viewer.waitFor((l) => l.command === "PRIVMSG" && l.params[1] === "thanks fan42!");
    await page.locator(".chat-line.outbound").filter({ hasText: "thanks fan42!" }).waitFor();
    await screenshot(page, "chat");

    await twitch.getByRole("button", { name: "Disconnect" }).click();
    await twitch.getByRole("button", { name: "Connect Twitch" }).waitFor();
    assert.deepEqual(await console.errors(), []);
  } finally {
    await viewer.close();
    await browser.close();
    await desktop.stop();
    await irc.stop();
  }
});
