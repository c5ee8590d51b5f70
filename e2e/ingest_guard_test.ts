import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import type { LogRecord, Profile, StreamState } from "@spiritstream/contracts";
import {
  ensureTestClip,
  freePort,
  requireBinary,
  startNginxRtmp,
  startPublisher,
  stopProcess,
} from "@spiritstream/testing";
import { type DesktopHost, startDesktopHost } from "../bench/lib/desktop_host.ts";
import { waitForMedia } from "../bench/lib/destination_media.ts";
import { copyGroup, nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import { withCleanup } from "./with_cleanup.ts";

/** This machine's own non-loopback IPv4 addresses; 127.0.0.2 stands in when it has none. */
function otherAddresses(): string[] {
  const own = Deno.networkInterfaces()
    .filter((i) => i.family === "IPv4" && !i.address.startsWith("127."))
    .map((i) => i.address);
  // A 127.0.0.1 listener refuses 127.0.0.2; a 0.0.0.0 one accepts it, like a LAN address.
  return own.length > 0 ? own : ["127.0.0.2"];
}

async function connects(hostname: string, port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname, port })).close();
    return true;
  } catch {
    return false;
  }
}

/** What the dashboard sends to open a profile's ingest (the key revealed only when one is set). */
async function openIngestOf(host: DesktopHost, name: string) {
  const profile = await host.call<Profile>("load_profile", { name, revealKeys: true });
  const { input } = profile;
  const incomingUrl = input.type === "srt"
    ? `srt://${input.bindAddress}:${input.port}`
    : `rtmp://${input.bindAddress}:${input.port}/${input.application}`;
  return { profile, reply: await host.invoke("open_ingest", { incomingUrl, input }) };
}

async function waitForIngest(host: DesktopHost, state: "live" | "waiting"): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await host.call<StreamState>("get_stream_state")).ingest.state !== state) {
    if (Date.now() > deadline) throw new Error(`the ingest did not become ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("desktop host: the ingest is loopback by default and needs a key beyond it", async (t) => {
  const token = secretKey("ingest-guard-token");
  const clip = await ensureTestClip({ seconds: 4 });
  await withCleanup(async (defer) => {
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const host = await startDesktopHost({ token });
    defer(() => host.stop());
    const ws = await host.ws();
    defer(() => ws.close());
    const targetKey = secretKey("guard-target");
    const group = copyGroup("relay", [nginxTarget(nginx, "dest", 0, targetKey)]);
    const profile = (name: string, input: Record<string, unknown>) => ({
      id: crypto.randomUUID(),
      name,
      input,
      outputGroups: [group],
    });

    await t.step(
      "a new profile's ingest binds 127.0.0.1: other addresses cannot connect",
      async () => {
        const port = freePort();
        await host.call("save_profile", { profile: profile("Fresh", { port }) });
        const { profile: fresh, reply } = await openIngestOf(host, "Fresh");
        assert.equal(fresh.input.bindAddress, "127.0.0.1");
        assert.equal(reply.status, 200, reply.body.error ?? "");
        assert.ok(await connects("127.0.0.1", port), "OBS on this computer connects");
        for (const address of otherAddresses()) {
          assert.equal(await connects(address, port), false, `${address} must be refused`);
        }
        await host.call("stop_all_streams", {});
      },
    );

    await t.step("saving 0.0.0.0 without an ingest key is a 400 naming the field", async () => {
      const reply = await host.invoke("save_profile", {
        profile: profile("Open", { bindAddress: "0.0.0.0", port: freePort() }),
      });
      assert.equal(reply.status, 400);
      assert.match(
        reply.body.error ?? "",
        /Invalid argument "profile\.input\.streamKey": an ingest key is required because the ingest listens on "0\.0\.0\.0"/,
      );
      assert.deepEqual(await host.call("get_all_profiles"), ["Fresh"], "nothing was saved");
    });

    await t.step(
      "0.0.0.0 with a key: a wrong key is refused, the right one is relayed",
      async () => {
        const port = freePort();
        const ingestKey = secretKey("guard-ingest");
        await host.call("save_profile", {
          profile: profile("Keyed", { bindAddress: "0.0.0.0", port, streamKey: ingestKey }),
        });
        const { reply } = await openIngestOf(host, "Keyed");
        assert.equal(reply.status, 200, reply.body.error ?? "");
        const [lan] = otherAddresses();
        const wrong = await startPublisher(`rtmp://${lan}:${port}/live/not-the-key`, {
          loop: false,
        });
        await wrong.exited;
        assert.equal((await host.call<StreamState>("get_stream_state")).ingest.state, "waiting");
        const obs = await startPublisher(`rtmp://${lan}:${port}/live/${ingestKey}`, { clip });
        defer(() => obs.stop());
        await waitForIngest(host, "live");
        const masked = await host.call<Profile>("load_profile", { name: "Keyed" });
        const live = await host.invoke("start_all_streams", {
          groups: masked.outputGroups,
          incomingUrl: `rtmp://0.0.0.0:${port}/live`,
          input: (await openIngestOf(host, "Keyed")).profile.input,
        });
        assert.equal(live.status, 200, live.body.error ?? "");
        await waitForMedia(nginx, 0, targetKey);
        await host.call("stop_all_streams", {});
        await obs.stop();
      },
    );

    await t.step("an SRT passphrase saved back masked still opens the ingest for it", async () => {
      const port = freePort();
      const passphrase = secretKey("guard-srt");
      await host.call("save_profile", {
        profile: profile("Srt", {
          type: "srt",
          bindAddress: "0.0.0.0",
          port,
          srtPassphrase: passphrase,
        }),
      });
      const masked = await host.call<Profile>("load_profile", { name: "Srt" });
      assert.equal(masked.input.srtPassphrase, "••••••••");
      await host.call("save_profile", { profile: masked });
      const { reply } = await openIngestOf(host, "Srt");
      assert.equal(reply.status, 200, reply.body.error ?? "");
      const caller = new Deno.Command(requireBinary("ffmpeg"), {
        args: [
          ...["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1"],
          ...["-i", clip, "-c", "copy", "-f", "mpegts"],
          `srt://127.0.0.1:${port}?mode=caller&passphrase=${passphrase}`,
        ],
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      defer(() => stopProcess(caller));
      await waitForIngest(host, "live");
      await host.call("stop_all_streams", {});
      await stopProcess(caller);
    });

    await t.step(
      "a stored profile on 0.0.0.0 without a key: its ingest stays closed, saying why",
      async () => {
        const port = freePort();
        await host.call("save_profile", { profile: profile("Old", { port }) });
        // An old row, as stored before the rule: written straight into the store.
        const db = new DatabaseSync(`${host.dataDir}/profiles.db`);
        try {
          db.prepare(
            "UPDATE profiles SET body = json_set(body, '$.input.bindAddress', '0.0.0.0') WHERE name = ?",
          ).run("Old");
        } finally {
          db.close();
        }
        const since = performance.now();
        const { profile: old, reply } = await openIngestOf(host, "Old");
        assert.equal(old.input.bindAddress, "0.0.0.0");
        assert.equal(reply.status, 400);
        assert.match(
          reply.body.error ?? "",
          /^Ingest rtmp:\/\/0\.0\.0\.0:\d+\/live not opened\. Invalid argument "input\.streamKey": an ingest key is required/,
        );
        assert.equal(await connects("127.0.0.1", port), false, "nothing listens");
        const log = await ws.next<LogRecord>(
          "log://log",
          (record) => /not opened.*an ingest key is required/.test(record.message),
          { since, timeoutMs: 10_000 },
        );
        assert.equal((log.payload as LogRecord).level, 2, "a warning");
        const start = await host.invoke("start_all_streams", {
          groups: old.outputGroups,
          incomingUrl: `rtmp://0.0.0.0:${port}/live`,
          input: old.input,
        });
        assert.equal(start.status, 400);
        assert.match(start.body.error ?? "", /not opened/);
        assert.equal(
          await connects("127.0.0.1", port),
          false,
          "going live does not open it either",
        );
      },
    );
  });
});
