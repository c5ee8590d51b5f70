import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { secretKey } from "../bench/lib/stream_setup.ts";
import { sampleProfile } from "./sample_profile.ts";

/** Mounts a tmpfs of `size` at `dir` (we run as root in CI; without it the test fails, never skips). */
async function mountTmpfs(dir: string, size: string): Promise<void> {
  const { code, stderr } = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(
      `This test needs to mount a small tmpfs (root or CAP_SYS_ADMIN): ${
        new TextDecoder().decode(stderr).trim()
      }`,
    );
  }
}

async function unmount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
}

/** Writes zeros into `path` until the file system says it is full. */
async function fillDisk(path: string): Promise<number> {
  const file = await Deno.open(path, { write: true, create: true });
  const chunk = new Uint8Array(16 * 1024);
  let written = 0;
  try {
    for (;;) written += await file.write(chunk);
  } catch (error) {
    if (!(error instanceof Error) || !/space|ENOSPC|os error 28/i.test(error.message)) throw error;
  } finally {
    file.close();
  }
  return written;
}

Deno.test("desktop host: a full data disk gives clear errors, no crash, nothing corrupted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-full-" });
  try {
    await mountTmpfs(dir, "8m");
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  const keys: [string, string] = [secretKey("before-a"), secretKey("before-b")];
  try {
    const dataDir = `${dir}/data`;
    await Deno.mkdir(dataDir);
    let host = await startDesktopHost({ dataDir });
    try {
      await host.call("save_profile", { profile: sampleProfile("Before", keys) });
      const settings = await host.call<Record<string, unknown>>("get_settings");
      await host.call("save_settings", { settings: { ...settings, logRetentionDays: 5 } });

      const filled = await fillDisk(`${dir}/filler`);
      assert.ok(filled > 0, "the disk had room before");
      const failures = [];
      for (let i = 0; i < 5; i++) {
        failures.push(
          await host.invoke("save_settings", {
            settings: { ...settings, logRetentionDays: 20 + i },
          }),
          await host.invoke("save_profile", {
            profile: sampleProfile(`Full ${i}`, [secretKey("full"), secretKey("full")]),
          }),
        );
      }
      const refused = failures.filter((r) => r.status !== 200);
      assert.ok(refused.length > 0, "some save hit the full disk");
      for (const reply of refused) {
        assert.ok(reply.status >= 400 && reply.status < 600, `status ${reply.status}`);
        assert.equal(reply.body.ok, false);
        assert.equal(typeof reply.body.error, "string");
        assert.match(reply.body.error as string, /disk .*full/i, "a message saying what is wrong");
      }
      assert.ok(await host.healthy(), "the host still answers /health");
      assert.equal(host.process.hasExited, false);

      // Space returns: saving works again without a restart.
      await Deno.remove(`${dir}/filler`);
      await host.call("save_settings", { settings: { ...settings, logRetentionDays: 11 } });
      await host.call("save_profile", { profile: sampleProfile("After", keys) });
    } finally {
      await host.stop();
    }
    const lines = [...host.process.lines, ...host.process.errLines];
    assert.deepEqual(findLeakedSecrets(lines, keys), [], "no stream key in the logs");

    for await (const entry of Deno.readDir(dataDir)) {
      if (!entry.name.endsWith(".db")) continue;
      const db = new DatabaseSync(`${dataDir}/${entry.name}`);
      try {
        const rows = db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[];
        assert.deepEqual(rows.map((r) => r.integrity_check), ["ok"], `${entry.name} integrity`);
      } finally {
        db.close();
      }
    }

    host = await startDesktopHost({ dataDir });
    try {
      const settings = await host.call<{ logRetentionDays: number }>("get_settings");
      assert.equal(settings.logRetentionDays, 11);
      const before = await host.call<
        { outputGroups: { streamTargets: { streamKey: string }[] }[] }
      >(
        "load_profile",
        { name: "Before", setActive: false, revealKeys: true },
      );
      assert.deepEqual(before.outputGroups[0]!.streamTargets.map((t) => t.streamKey), keys);
      const names = await host.call<string[]>("get_all_profiles");
      assert.ok(names.includes("After"), `profiles: ${names.join(", ")}`);
    } finally {
      await host.stop();
    }
  } finally {
    await unmount(dir);
    await Deno.remove(dir, { recursive: true });
  }
});
