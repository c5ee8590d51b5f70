import assert from "node:assert/strict";
import {
  ensureTestClip,
  type ReceivedRequest,
  startHttpsReceiver,
  startNginxRtmp,
  startPublisher,
  waitFor,
} from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { waitForBytesFlowing, waitForMedia } from "../bench/lib/destination_media.ts";
import { goLive } from "../bench/lib/go_live.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { copyGroup, nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import { withCleanup } from "./with_cleanup.ts";

const AFTER_SECS = 3;

function events(requests: ReceivedRequest[]): string[] {
  return requests.map((r) => {
    const body = r.json as { event?: string; content?: string };
    return body.event ?? body.content ?? "?";
  });
}

Deno.test("alert webhook: one message per outage of a destination stopped 20 s, one when it is back; ingest lost and back; received over HTTPS", (t) =>
  withCleanup(async (defer) => {
    const clip = await ensureTestClip({ seconds: 4 });
    const receiver = await startHttpsReceiver();
    defer(() => receiver.stop());
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const host = await startDesktopHost({
      env: { DENO_CERT: receiver.caFile, SPIRITSTREAM_WEBHOOK_BASE: `${receiver.base}/hooks/` },
    });
    defer(() => host.stop());

    const key = secretKey("alert-dest");
    const hookToken = `alerttoken${crypto.randomUUID().replaceAll("-", "")}`;
    const group = copyGroup("default", [{ ...nginxTarget(nginx, "dest", 0, key), name: "Nginx" }]);
    const profile = {
      id: crypto.randomUUID(),
      name: "Alerts",
      input: { type: "rtmp", bindAddress: "127.0.0.1", port: 1935, application: "live" },
      outputGroups: [group],
      settings: {
        alerts: {
          enabled: true,
          webhookUrl: `${receiver.base}/json/${hookToken}`,
          format: "json",
          afterSecs: AFTER_SECS,
        },
      },
    };

    await t.step("a non-HTTPS alert URL is refused when the profile is saved", async () => {
      const reply = await host.invoke("save_profile", {
        profile: {
          ...profile,
          settings: { alerts: { ...profile.settings.alerts, webhookUrl: "http://x.example/a" } },
        },
      });
      assert.equal(reply.status, 400);
      assert.match(
        String(reply.body.error),
        /Invalid argument "profile\.settings\.alerts\.webhookUrl": must be an https:\/\/ URL/,
      );
    });

    await host.call("save_profile", { profile });
    await host.call("load_profile", { name: "Alerts" });
    const live = await goLive(host, { clip, groups: [group] });
    defer(() => live.stop());
    await waitForMedia(nginx, 0, key, { timeoutMs: 30_000 });

    await t.step(
      "/metrics during the live stream: every target's state and bitrate, the ingest",
      async () => {
        const text = await waitFor(async () => {
          const body = await (await fetch(`${host.base}/metrics`)).text();
          const bitrate = body.match(
            /^spiritstream_target_bitrate_kbps\{tenant="[^"]+",group="default",target="dest"\} (\d+)/m,
          );
          return bitrate && Number(bitrate[1]) > 0 ? body : null;
        }, { timeoutMs: 15_000, what: "a target bitrate in /metrics" });
        assert.match(
          text,
          /^spiritstream_target_state\{tenant="[^"]+",group="default",target="dest",state="live"\} 1$/m,
        );
        assert.match(text, /^spiritstream_ingest_connected\{tenant="[^"]+"\} 1$/m);
        assert.match(text, /^spiritstream_ingest_bitrate_kbps\{tenant="[^"]+"\} [1-9]\d*$/m);
        assert.match(
          text,
          /^spiritstream_group_frames\{tenant="[^"]+",group="default"\} [1-9]\d*$/m,
        );
        assert.deepEqual(findLeakedSecrets([text], [key, hookToken]), [], "no key in a label");
      },
    );

    await t.step(
      "destination stopped 20 s and restarted: one 'down', then one 'back'",
      async () => {
        await nginx.stopServer(0);
        await receiver.waitFor("/json/", 1, (AFTER_SECS + 15) * 1000);
        await new Promise((resolve) => setTimeout(resolve, 20_000 - AFTER_SECS * 1000));
        assert.deepEqual(events(receiver.to("/json/")), ["target_down"], "no alert per retry");
        await nginx.startServer(0);
        await waitForBytesFlowing(nginx, 0, key, { timeoutMs: 30_000 });
        const [down, up] = await receiver.waitFor("/json/", 2);
        assert.deepEqual(events(receiver.to("/json/")), ["target_down", "target_up"]);
        const downBody = down!.json as Record<string, unknown>;
        assert.equal(downBody.type, "spiritstream.alert");
        assert.equal(downBody.targetId, "dest");
        assert.equal(downBody.groupId, "default");
        assert.equal(downBody.name, "Nginx");
        assert.ok(Number(downBody.downSecs) >= AFTER_SECS, "sent after the grace time");
        assert.ok(
          Number((up!.json as Record<string, unknown>).downSecs) >= 18,
          "the outage length",
        );
      },
    );

    await t.step(
      "the ingest lost while live, then back: one message each, Discord format",
      async () => {
        const discordUrl = `${receiver.base}/hooks/99/${hookToken}`;
        await host.call("save_profile", {
          profile: {
            ...profile,
            settings: {
              alerts: { ...profile.settings.alerts, webhookUrl: discordUrl, format: "discord" },
            },
          },
        });
        await live.publisher.stop();
        const [lost] = await receiver.waitFor("/hooks/99/", 1, (AFTER_SECS + 15) * 1000);
        const lostBody = lost!.json as { username: string; content: string };
        assert.equal(lostBody.username, "SpiritStream");
        assert.match(lostBody.content, /Ingest lost/);
        const publisher = await startPublisher(live.publishUrl, { clip });
        defer(() => publisher.stop());
        await waitForBytesFlowing(nginx, 0, key, { timeoutMs: 30_000 });
        const [, back] = await receiver.waitFor("/hooks/99/", 2);
        assert.match((back!.json as { content: string }).content, /Ingest is back/);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        assert.equal(receiver.to("/hooks/99/").length, 2);
      },
    );

    await t.step("stopping on purpose sends nothing", async () => {
      const before = receiver.requests.length;
      await host.call("stop_all_streams");
      await waitFor(async () => (await host.call<number>("get_active_stream_count")) === 0, {
        what: "the streams to stop",
      });
      await new Promise((resolve) => setTimeout(resolve, (AFTER_SECS + 1) * 1000));
      assert.equal(receiver.requests.length, before);
    });

    await t.step("the alert webhook token is in no log line", () => {
      const texts = [...host.process.lines, ...host.process.errLines];
      assert.deepEqual(findLeakedSecrets(texts, [hookToken, key]), []);
    });
  }));
