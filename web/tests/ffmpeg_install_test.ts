import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { requireBinary, startHttpsFileServer } from "@spiritstream/testing";
import { ensureBuilt, launchBrowser, screenshots, startDesktop, watchConsole } from "./harness.ts";

async function archiveOfThisFfmpeg(dir: string): Promise<Uint8Array> {
  await Deno.mkdir(`${dir}/build/bin`, { recursive: true });
  await Deno.copyFile(requireBinary("ffmpeg"), `${dir}/build/bin/ffmpeg`);
  const tar = await new Deno.Command("tar", {
    args: ["-cJf", `${dir}/build.tar.xz`, "-C", dir, "build"],
  }).output();
  assert.ok(tar.success, new TextDecoder().decode(tar.stderr));
  return await Deno.readFile(`${dir}/build.tar.xz`);
}

Deno.test("with no FFmpeg download configured, Settings turns the switch off and Encoders says how to install", async () => {
  await ensureBuilt();
  const desktop = await startDesktop();
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/settings`);
    await page.getByRole("heading", { level: 1, name: "Settings" }).waitFor();
    const toggle = page.locator('input[name="autoDownloadFfmpeg"]');
    await page.locator('[data-download="off"]').waitFor();
    assert.equal(await toggle.isDisabled(), true);
    assert.equal(await toggle.isChecked(), false, "no download is offered, so it is not on");
    assert.match(await page.locator('[data-download="off"]').innerText(), /apt-get install ffmpeg/);
    await screenshots(page, "settings-ffmpeg-off");

    await page.getByRole("link", { name: "Encoders" }).first().click();
    const help = page.locator('.ffmpeg-install[data-download="off"]');
    await help.waitFor();
    const text = await help.innerText();
    for (const line of ["sudo apt-get install ffmpeg", "brew install ffmpeg", "winget install"]) {
      assert.ok(text.includes(line), `${line} in ${text}`);
    }
    await screenshots(page, "encoders-install-help");
    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
  }
});

Deno.test("with a pinned download, Encoders downloads FFmpeg over HTTPS into the data dir", async () => {
  await ensureBuilt();
  const dir = await Deno.makeTempDir({ prefix: "ffmpeg-ui-" });
  const archive = await archiveOfThisFfmpeg(dir);
  const server = await startHttpsFileServer({ "/ffmpeg-ui.tar.xz": archive });
  await Deno.writeTextFile(`${dir}/ca.pem`, server.caPem);
  const desktop = await startDesktop({
    SPIRITSTREAM_FFMPEG_DOWNLOAD_URL: `${server.base}/ffmpeg-ui.tar.xz`,
    SPIRITSTREAM_FFMPEG_DOWNLOAD_SHA256: createHash("sha256").update(archive).digest("hex"),
    SPIRITSTREAM_FFMPEG_DOWNLOAD_VERSION: "ui-1",
    // The desktop's fetch trusts the test CA the way a private mirror's CA would be trusted.
    DENO_CERT: `${dir}/ca.pem`,
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const console = watchConsole(page);
    await page.goto(`${desktop.base}/#/encoders`);
    await page.getByRole("heading", { level: 1, name: "Encoders" }).waitFor();
    const button = page.getByRole("button", { name: "Download FFmpeg ui-1" });
    await button.waitFor();
    await button.click();
    const done = page.locator(".ffmpeg-install .ok-text");
    await done.waitFor({ timeout: 60_000 });
    assert.equal(await done.innerText(), `FFmpeg installed at ${desktop.dataDir}/ffmpeg/ffmpeg`);
    await page.getByText("Up to date (pinned build ui-1)").waitFor();
    await screenshots(page, "encoders-downloaded");
    assert.ok((await Deno.stat(`${desktop.dataDir}/ffmpeg/ffmpeg`)).isFile);
    assert.deepEqual(await console.errors(), []);
  } finally {
    await browser.close();
    await desktop.stop();
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
