import assert from "node:assert/strict";
import { freePort, waitFor } from "@spiritstream/testing";
import { sampleProfile, secret } from "./testdata/profiles.ts";
import { writeSpiritStreamFolder } from "./testdata/spiritstream_fixture.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

interface Host {
  base: string;
  child: Deno.ChildProcess;
  /** Everything the process printed (stdout and stderr), collected until it exits. */
  output: Promise<string>;
}

async function startHost(dataDir: string): Promise<Host> {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN],
    env: {
      SPIRITSTREAM_DATA_DIR: dataDir,
      SPIRITSTREAM_PORT: String(port),
      SPIRITSTREAM_LOG_LEVEL: "debug",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()])
    .then(([out, err]) => out + err);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/health`).catch(() => null))?.ok ?? false, {
    timeoutMs: 30_000,
    what: "the desktop host's /health",
  });
  return { base, child, output };
}

async function invoke(base: string, command: string, body: unknown) {
  const res = await fetch(`${base}/api/invoke/${command}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("desktop host: every acknowledged save survives kill -9, none half-written", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "spiritstream-crash-" });
  const hosts: Host[] = [];
  try {
    const first = await startHost(dataDir);
    hosts.push(first);
    // 48 profiles, every 8th password-protected, saved 6 at a time; kill -9 after 20 acks.
    const attempts = Array.from({ length: 48 }, (_, i) => {
      const keys = { twitch: secret("live"), youtube: secret("yt"), kick: secret("sk") };
      const password = i % 8 === 0 ? secret("pw") : undefined;
      return { name: `Burst ${i}`, keys, password, profile: sampleProfile(`Burst ${i}`, keys) };
    });
    const acked = new Set<string>();
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < attempts.length && !killed) {
        const attempt = attempts[next++]!;
        try {
          const res = await invoke(first.base, "save_profile", {
            profile: attempt.profile,
            password: attempt.password,
          });
          if (res.status === 200 && res.body.ok) acked.add(attempt.name);
          else assert.fail(`save failed: ${JSON.stringify(res.body)}`);
        } catch (error) {
          if (!killed) throw error; // after the kill, failed requests are expected
        }
        if (acked.size >= 20 && !killed) {
          killed = true;
          first.child.kill("SIGKILL");
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    const status = await first.child.status;
    assert.equal(status.signal, "SIGKILL");
    assert.ok(acked.size >= 20 && acked.size < attempts.length, `acked ${acked.size}`);

    const second = await startHost(dataDir);
    hosts.push(second);
    const names: string[] = (await invoke(second.base, "get_all_profiles", {})).body.data;
    for (const name of acked) assert.ok(names.includes(name), `acknowledged "${name}" was lost`);
    for (const name of names) {
      const attempt = attempts.find((a) => a.name === name);
      assert.ok(attempt, `unexpected profile ${name}`);
      const loaded = await invoke(second.base, "load_profile", {
        name,
        password: attempt.password,
        revealKeys: true,
      });
      assert.equal(loaded.status, 200, `${name} does not load: ${loaded.body.error}`);
      const keys = loaded.body.data.outputGroups.flatMap((
        g: { streamTargets: { streamKey: string }[] },
      ) => g.streamTargets.map((t) => t.streamKey));
      assert.deepEqual(keys, [attempt.keys.twitch, attempt.keys.youtube, attempt.keys.kick]);
      assert.equal(loaded.body.data.encrypted, attempt.password !== undefined);
    }

    // Import and export through HTTP too: their passwords and passphrases travel in the
    // arguments the gateway logs, and must not reach a log line either.
    const importPassword = secret("mgs_pw");
    const importKey = secret("imported_key");
    const imported = sampleProfile("Imported", { twitch: importKey, youtube: "", kick: "" });
    await writeSpiritStreamFolder(`${dataDir}/old-spiritstream`, {
      settings: {},
      profiles: [{
        profile: { ...imported, name: "Imported" },
        encryptStreamKeys: true,
        password: importPassword,
      }],
      order: {},
    });
    const report = await invoke(second.base, "import_spiritstream_data", {
      path: `${dataDir}/old-spiritstream`,
      passwords: { Imported: importPassword },
    });
    assert.deepEqual(report.body.data?.profilesImported, ["Imported"], JSON.stringify(report.body));
    const passphrase = secret("export_passphrase");
    await invoke(second.base, "load_profile", { name: "Imported", password: importPassword });
    for (const attempt of attempts.filter((a) => a.password && names.includes(a.name))) {
      await invoke(second.base, "load_profile", { name: attempt.name, password: attempt.password });
    }
    const exported = await invoke(second.base, "export_data", { passphrase });
    assert.equal(exported.status, 200, JSON.stringify(exported.body));

    second.child.kill("SIGTERM");
    await second.child.status;
    const logs = (await Promise.all(hosts.map((host) => host.output))).join("\n");
    assert.match(logs, /save_profile/, "the logs were captured");
    const files = await Promise.all(
      ["profiles.db", "profiles.db-wal"].map((f) =>
        Deno.readFile(`${dataDir}/${f}`).catch(() => new Uint8Array())
      ),
    );
    const disk = files.map((bytes) => new TextDecoder("latin1").decode(bytes)).join("");
    for (const value of [importPassword, importKey, passphrase]) {
      assert.ok(!logs.includes(value), "an import/export secret reached a log line");
    }
    for (const attempt of attempts) {
      for (const value of [...Object.values(attempt.keys), attempt.password ?? "-"]) {
        if (value === "-") continue;
        assert.ok(!logs.includes(value), "a secret reached a log line");
        assert.ok(!disk.includes(value), "a secret is on disk in plain text");
      }
    }
  } finally {
    for (const host of hosts) {
      try {
        host.child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await host.child.status;
      await host.output;
    }
    await Deno.remove(dataDir, { recursive: true });
  }
});
