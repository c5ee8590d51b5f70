import assert from "node:assert/strict";
import type { OutputGroup, Profile, RecordingInfo } from "@spiritstream/contracts";
import { startNginxRtmp, waitFor } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { ensureBenchClip } from "../bench/lib/bench_clip.ts";
import { goLive } from "../bench/lib/go_live.ts";
import { secretKey } from "../bench/lib/stream_setup.ts";
import { sampleProfile } from "./sample_profile.ts";

const PASSWORD = "protected-profile-pass";

/**
 * Goes live from a password-protected profile's group (as its unlocked, masked copy) without the
 * client saying the profile is protected; answers what got recorded.
 */
async function recordedFromProtected(allowEncrypted: boolean): Promise<RecordingInfo[]> {
  const nginx = await startNginxRtmp({ apps: 2 });
  const host = await startDesktopHost({ env: { SPIRITSTREAM_RECORDING_MIN_FREE_MB: "1" } });
  try {
    const keys: [string, string] = [secretKey("locked-a"), secretKey("locked-b")];
    const profile = sampleProfile("Locked", keys, {
      urls: [nginx.url(0, "x").replace(/\/x$/, ""), nginx.url(1, "x").replace(/\/x$/, "")],
    });
    const recording = { enabled: true, splitMinutes: 60, splitMegabytes: 0, allowEncrypted };
    const group = { ...profile.outputGroups[0]!, recording };
    await host.call("save_profile", {
      profile: { ...profile, outputGroups: [group] },
      password: PASSWORD,
    });
    const loaded = await host.call<Profile>("load_profile", { name: "Locked", password: PASSWORD });
    const groups: OutputGroup[] = loaded.outputGroups; // keys masked, as the dashboard has them
    const live = await goLive(host, { clip: await ensureBenchClip(), groups });
    try {
      await waitFor(async () => {
        const stats = await nginx.stat();
        return stats.every((d) => d.streams.some((s) => s.bytesIn > 200_000));
      }, { what: "both destinations receiving", timeoutMs: 30_000 });
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return await host.call<RecordingInfo[]>("list_recordings", {});
    } finally {
      await live.stop();
    }
  } finally {
    await host.stop();
    await nginx.stop();
  }
}

Deno.test("recording: a password-protected profile's group is recorded only when its recording allows it, whatever the client says", async (t) => {
  await t.step("allowEncrypted off: streamed, not recorded", async () => {
    assert.deepEqual(await recordedFromProtected(false), []);
  });
  await t.step("allowEncrypted on: recorded", async () => {
    const recorded = await recordedFromProtected(true);
    assert.equal(recorded.length, 1);
    assert.ok(recorded[0]!.bytes > 0);
  });
});
