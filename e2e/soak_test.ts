import assert from "node:assert/strict";
import { repoPath } from "../bench/lib/deno_process.ts";

Deno.test("bench/soak.ts --ci: three targets, flapping destinations, no leak, no orphan", async () => {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", repoPath("bench/soak.ts"), "--ci"],
    cwd: repoPath(""),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  const tail = `${out}\n${new TextDecoder().decode(stderr)}`.split("\n").slice(-40).join("\n");
  assert.equal(code, 0, `soak failed:\n${tail}`);
  assert.match(out, /^SOAK PASS$/m, tail);
  const flaps = Number(/^flaps: (\d+)/m.exec(out)?.[1] ?? 0);
  assert.ok(flaps >= 4, `at least four destination outages, got ${flaps}:\n${tail}`);
  const samples = out.split("\n").filter((line) => /^\| \d+ \|/.test(line));
  assert.ok(samples.length >= 10, `a sample every 10 s, got ${samples.length}:\n${tail}`);
});
