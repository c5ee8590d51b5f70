import assert from "node:assert/strict";
import type { WebhookResult } from "@spiritstream/contracts";
import { startHttpsReceiver } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { sampleProfile } from "./sample_profile.ts";
import { withCleanup } from "./with_cleanup.ts";

/** The 67 bytes of a 1x1 PNG. */
const PNG = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  ),
  (c) => c.charCodeAt(0),
);

Deno.test("Discord webhook: test message, go-live message with image, cooldown, URL rule, received by a real HTTPS server", (t) =>
  withCleanup(async (defer) => {
    const receiver = await startHttpsReceiver();
    defer(() => receiver.stop());
    const hooks = `${receiver.base}/api/webhooks/`;
    const host = await startDesktopHost({
      // The host trusts the receiver's test CA, and may post under its base.
      env: { DENO_CERT: receiver.caFile, SPIRITSTREAM_WEBHOOK_BASE: hooks },
    });
    defer(() => host.stop());
    const token = `hooktoken${crypto.randomUUID().replaceAll("-", "")}`;
    const webhookUrl = `${hooks}1234/${token}`;

    await t.step("discord_test_webhook posts a test message as SpiritStream", async () => {
      const result = await host.call<WebhookResult>("discord_test_webhook", { url: webhookUrl });
      assert.deepEqual(result, {
        success: true,
        message: "Test message sent",
        skippedCooldown: false,
      });
      const [request] = await receiver.waitFor("/api/webhooks/1234/", 1);
      assert.equal(request!.method, "POST");
      assert.match(request!.contentType, /application\/json/);
      const body = request!.json as { content: string; username: string };
      assert.equal(body.username, "SpiritStream");
      assert.match(body.content, /webhook test/);
    });

    await t.step(
      "a URL outside Discord and the configured base is refused, naming the field",
      async () => {
        const reply = await host.invoke("discord_test_webhook", {
          url: "https://evil.example/api/webhooks/1/abc",
        });
        assert.equal(reply.status, 400);
        assert.match(
          String(reply.body.error),
          /^Invalid argument "url": webhook URL must start with https:\/\/discord\.com\/api\/webhooks\//,
        );
        const plain = await host.invoke("discord_test_webhook", {
          url: `${hooks.replace("https:", "http:")}1/abc`,
        });
        assert.equal(plain.status, 400);
      },
    );

    const imagePath = `${host.dataDir}/golive.png`;
    await Deno.writeFile(imagePath, PNG);
    const profile = sampleProfile("Discord", ["key-one-1234567", "key-two-1234567"]);
    profile.settings = {
      discord: {
        webhookEnabled: true,
        webhookUrl,
        goLiveMessage: "**We are live!** come in",
        cooldownEnabled: true,
        cooldownSeconds: 600,
        imagePath,
      },
    };

    await t.step(
      "discord_send_notification: the go-live message with its image attached",
      async () => {
        const disabled = await host.call<WebhookResult>("discord_send_notification");
        assert.equal(disabled.success, false, "no active profile yet");
        await host.call("save_profile", { profile });
        await host.call("load_profile", { name: "Discord" });
        const before = receiver.requests.length;
        const result = await host.call<WebhookResult>("discord_send_notification");
        assert.deepEqual(result, {
          success: true,
          message: "Go-live message sent",
          skippedCooldown: false,
        });
        const request = (await receiver.waitFor("/api/webhooks/1234/", 2))[1]!;
        assert.equal(receiver.requests.length, before + 1);
        assert.match(request.contentType, /^multipart\/form-data/);
        assert.deepEqual(request.json, {
          content: "**We are live!** come in",
          username: "SpiritStream",
        });
        assert.deepEqual(request.files, [{
          field: "files[0]",
          name: "golive.png",
          type: "image/png",
          size: PNG.length,
        }]);
      },
    );

    await t.step(
      "within the cooldown nothing is sent; discord_reset_cooldown ends it",
      async () => {
        const before = receiver.requests.length;
        const skipped = await host.call<WebhookResult>("discord_send_notification");
        assert.equal(skipped.success, true);
        assert.equal(skipped.skippedCooldown, true);
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal(receiver.requests.length, before, "the cooldown sent nothing");
        await host.call("discord_reset_cooldown");
        const sent = await host.call<WebhookResult>("discord_send_notification");
        assert.equal(sent.skippedCooldown, false);
        await receiver.waitFor("/api/webhooks/1234/", 3);
      },
    );

    await t.step("an image outside the data and home folders is refused, not sent", async () => {
      const elsewhere = await Deno.makeTempDir({ prefix: "spiritstream-elsewhere-" });
      defer(() => Deno.remove(elsewhere, { recursive: true }));
      await Deno.writeFile(`${elsewhere}/private.png`, PNG);
      const other = structuredClone(profile);
      other.settings!.discord!.imagePath = `${elsewhere}/private.png`;
      // load_profile answers masked secrets; saving the mask keeps the stored webhook URL.
      await host.call("save_profile", { profile: { ...other, id: profile.id } });
      await host.call("discord_reset_cooldown");
      const before = receiver.requests.length;
      const reply = await host.invoke("discord_send_notification");
      assert.equal(reply.status, 400);
      assert.match(
        String(reply.body.error),
        /Invalid argument "settings\.discord\.imagePath": must be inside the data folder or the home folder/,
      );
      assert.equal(receiver.requests.length, before);
    });

    await t.step("a refusing webhook is reported without the URL", async () => {
      receiver.answer(429);
      await host.call("discord_reset_cooldown");
      await host.call("save_profile", { profile });
      const result = await host.call<WebhookResult>("discord_send_notification");
      assert.equal(result.success, false);
      assert.match(result.message, /rate limited/);
      receiver.answer(204);
    });

    await t.step("the webhook token is in no log line and no answer", async () => {
      const loaded = await host.call<{ settings: { discord: { webhookUrl: string } } }>(
        "load_profile",
        { name: "Discord" },
      );
      assert.notEqual(loaded.settings.discord.webhookUrl, webhookUrl, "masked when loaded");
      const texts = [...host.process.lines, ...host.process.errLines];
      assert.deepEqual(findLeakedSecrets(texts, [token]), []);
    });
  }));
