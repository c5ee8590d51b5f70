import assert from "node:assert/strict";
import { COMMANDS } from "@spiritstream/contracts";
import { ensureTestClip, startNginxRtmp } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { waitForMedia } from "../bench/lib/destination_media.ts";
import { goLive } from "../bench/lib/go_live.ts";
import { invoke } from "../bench/lib/invoke.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { copyGroup, nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import { fuzzBody, prng, seedOf } from "@spiritstream/testing";
import { withCleanup } from "./with_cleanup.ts";
import { sampleProfile } from "./sample_profile.ts";

const SEED = 0x5eed_2026;
/** Control and format (bidi) characters: a message must never carry them back. */
const CONTROL = /[\p{Cc}\p{Cf}]/u;
const BODIES_PER_COMMAND = 20;
const HOSTILE_NAMES = [
  "../../etc/passwd",
  "..",
  "/etc/passwd",
  "a\u0000b",
  "\u202eevil.exe",
  "line\nbreak",
  "x".repeat(10_000),
];

Deno.test("desktop host: hostile input on every command, no secret in any log line or event", async (t) => {
  const token = secretKey("hostile-api-token");
  const keys: [string, string] = [secretKey("hostile-key-a"), secretKey("hostile-key-b")];
  const lockedKeys: [string, string] = [secretKey("locked-key-a"), secretKey("locked-key-b")];
  const profilePassword = secretKey("profile-password");
  const obsPassword = secretKey("obs-password");
  const ingestKey = secretKey("ingest-key");
  const fuzzSecrets: string[] = [];
  const responses: string[] = [];
  const clip = await ensureTestClip({ seconds: 4 });
  await withCleanup(async (defer) => {
    const nginx = await startNginxRtmp({ apps: 1 });
    defer(() => nginx.stop());
    const host = await startDesktopHost({ token, logLevel: "debug" });
    defer(() => host.stop());
    const ws = await host.ws();
    defer(() => ws.close());
    await host.call("save_profile", { profile: sampleProfile("Main", keys, { obsPassword }) });
    await host.call("save_profile", {
      profile: sampleProfile("Locked", lockedKeys),
      password: profilePassword,
    });
    const settings = await host.call<Record<string, unknown>>("get_settings");
    await host.call("save_settings", { settings: { ...settings, logRetentionDays: 9 } });
    /** Everything a stray write could change, as one comparable string. */
    const stored = async () =>
      JSON.stringify(
        await Promise.all([
          host.invoke("get_all_profiles"),
          host.invoke("get_settings"),
          host.invoke("get_order_index_map"),
          host.invoke("get_profile_summaries"),
          host.invoke("load_profile", { name: "Main", setActive: false }),
        ]),
      );
    let before = await stored();

    await t.step(
      "every command refuses random and malformed bodies without 5xx or crash",
      async () => {
        const problems: string[] = [];
        for (const [name, def] of Object.entries(COMMANDS).sort(([a], [b]) => a.localeCompare(b))) {
          const unauthenticated = await invoke(host.base, name, {});
          if (unauthenticated.status !== 401) {
            problems.push(`${name} without the token answered ${unauthenticated.status}`);
          }
          // A command without required arguments accepts any object: it only gets non-objects.
          const objects = !def.args.safeParse({}).success;
          const keysOf = Object.keys(def.args.shape);
          const rand = prng(seedOf(name, SEED));
          const mutating = def.permission !== "read";
          for (let i = 0; i < BODIES_PER_COMMAND; i++) {
            const body = fuzzBody(rand, keysOf, { objects });
            fuzzSecrets.push(...body.secrets);
            const reply = await host.invoke(name, undefined, { rawBody: body.text });
            responses.push(JSON.stringify(reply.body));
            const where = `${name} body #${i} (seed ${seedOf(name, SEED)}): ${
              body.text.slice(0, 120)
            }`;
            if (reply.status >= 500) {
              problems.push(`${where} → ${reply.status} ${reply.body.error}`);
            }
            if (reply.status >= 400 && (reply.body.ok !== false || !reply.body.error)) {
              problems.push(`${where} → ${reply.status} without an error envelope`);
            }
            if (!objects && reply.status !== 400) {
              problems.push(`${where} → ${reply.status}, expected 400 for a non-object body`);
            }
            if (mutating) {
              const after = await stored();
              if (after !== before && reply.status >= 400) {
                problems.push(`${where} was refused (${reply.status}) but changed stored data`);
              }
              before = after;
            }
          }
          if (!(await host.healthy())) {
            problems.push(`the host stopped answering /health after ${name}`);
            break;
          }
        }
        assert.deepEqual(problems, [], problems.join("\n"));
        assert.ok(await host.healthy(), "host still answers /health");
        assert.equal(host.process.hasExited, false, "host still running");
      },
    );

    await t.step("oversized bodies are refused with 413 and nothing is stored", async () => {
      const big = JSON.stringify({
        settings: { ...settings, padding: "x".repeat(2 * 1024 * 1024) },
      });
      const reply = await host.invoke("save_settings", undefined, { rawBody: big });
      assert.equal(reply.status, 413);
      assert.equal(reply.body.ok, false);
      assert.match(reply.body.error ?? "", /too large/i);
      // Streamed without a length: the limit still holds.
      const streamed = await fetch(`${host.base}/api/invoke/save_profile`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: ReadableStream.from((function* () {
          for (let i = 0; i < 64; i++) yield new TextEncoder().encode("x".repeat(64 * 1024));
        })()),
      });
      assert.equal(streamed.status, 413);
      await streamed.body?.cancel();
      assert.equal(await stored(), before);
    });

    await t.step("hostile names are refused with clear messages naming the field", async () => {
      const problems: string[] = [];
      for (const bad of HOSTILE_NAMES) {
        const shown = JSON.stringify(bad.slice(0, 30));
        const save = await host.invoke("save_profile", {
          profile: sampleProfile(bad, [secretKey("k"), secretKey("k")]),
        });
        if (save.status !== 400 || !/"profile\.name"/.test(save.body.error ?? "")) {
          problems.push(`save_profile ${shown} → ${save.status} ${save.body.error}`);
        }
        if ((save.body.error ?? "").length > 500) {
          problems.push(`save_profile ${shown}: a ${save.body.error!.length}-character message`);
        }
        if (CONTROL.test(save.body.error ?? "")) {
          problems.push(`save_profile ${shown}: the message echoes control characters`);
        }
        for (
          const [command, args] of [
            ["load_profile", { name: bad, setActive: false }],
            ["delete_profile", { name: bad }],
            ["is_profile_encrypted", { name: bad }],
            ["get_theme_tokens", { themeId: bad }],
            ["stop_stream", { groupId: bad }],
          ] as const
        ) {
          const reply = await host.invoke(command, args);
          const accepted = reply.status === 200 &&
            (command === "stop_stream" || command === "is_profile_encrypted");
          if (!accepted && (reply.status < 400 || reply.status >= 500)) {
            problems.push(`${command} ${shown} → ${reply.status} ${reply.body.error}`);
          }
          if (reply.status >= 400 && CONTROL.test(reply.body.error ?? "")) {
            problems.push(`${command} ${shown}: the message echoes control characters`);
          }
          if ((reply.body.error ?? "").length > 500) {
            problems.push(`${command} ${shown}: a ${reply.body.error!.length}-character message`);
          }
        }
      }
      assert.deepEqual(problems, [], problems.join("\n"));
      assert.equal(await stored(), before, "nothing stored or deleted");
      assert.ok((await Deno.stat("/etc/passwd")).isFile, "/etc/passwd untouched");
    });

    await t.step("a live stream with secret keys (to trace them through the logs)", async () => {
      const live = await goLive(host, {
        clip,
        ingestKey,
        groups: [copyGroup("secret", [
          nginxTarget(nginx, "ok", 0, keys[0]),
          // A dead destination: reconnect attempts log its URL, which must stay masked.
          { ...nginxTarget(nginx, "dead", 0, keys[1]), url: "rtmp://127.0.0.1:9/live" },
        ])],
      });
      try {
        await waitForMedia(nginx, 0, keys[0], { timeoutMs: 20_000 });
        await new Promise((resolve) => setTimeout(resolve, 2500));
      } finally {
        await live.stop();
      }
    });

    await t.step("no stream key, password or token in any log line, event or error", () => {
      const secrets = [
        token,
        ...keys,
        ...lockedKeys,
        profilePassword,
        obsPassword,
        ingestKey,
        ...fuzzSecrets,
      ];
      const texts = [...host.process.lines, ...host.process.errLines, ...ws.raw];
      assert.ok(host.process.lines.length > 500, `captured ${host.process.lines.length} log lines`);
      assert.ok(ws.raw.some((f) => f.includes('"log://log"')), "log events reached /ws");
      const leaks = findLeakedSecrets(texts, secrets);
      assert.deepEqual(leaks, [], `secrets leaked:\n${leaks.slice(0, 10).join("\n")}`);
      const echoed = findLeakedSecrets(responses, [token]);
      assert.deepEqual(echoed, [], "the API token never comes back in a response");
    });
  });
});
