import assert from "node:assert/strict";
import { isLoopbackHost } from "./host_name.ts";
import { ingestKeyProblem } from "./ingest_guard.ts";

Deno.test("isLoopbackHost() knows 127.0.0.0/8, ::1 in any spelling and localhost", () => {
  for (
    const host of [
      "127.0.0.1",
      "127.1.2.3",
      "127.255.255.255",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "0000::0001",
      "::ffff:127.0.0.1",
      "localhost",
      "LOCALHOST",
    ]
  ) assert.equal(isLoopbackHost(host), true, host);
  for (
    const host of [
      "0.0.0.0",
      "::",
      "[::]",
      "192.168.1.20",
      "10.0.0.1",
      "128.0.0.1",
      "127.0.0.256",
      "127.0.0",
      "::2",
      "1::1",
      "::ffff:10.0.0.1",
      "my-pc.local",
      "localhost.example.com",
      "",
    ]
  ) assert.equal(isLoopbackHost(host), false, host);
});

Deno.test("ingestKeyProblem() asks a non-loopback RTMP ingest for an ingest key", () => {
  assert.equal(ingestKeyProblem({ type: "rtmp", bindAddress: "127.0.0.1" }), null);
  assert.equal(ingestKeyProblem({ type: "rtmp", bindAddress: "0.0.0.0", streamKey: "k" }), null);
  const problem = ingestKeyProblem({ type: "rtmp", bindAddress: "0.0.0.0", streamKey: "" });
  assert.equal(problem?.field, "streamKey");
  assert.match(problem!.rule, /ingest key is required/);
  assert.match(problem!.rule, /"0\.0\.0\.0"/);
  assert.match(problem!.rule, /listen on 127\.0\.0\.1/);
});

Deno.test("ingestKeyProblem() asks a non-loopback SRT ingest for a passphrase, not a key", () => {
  assert.equal(ingestKeyProblem({ type: "srt", bindAddress: "::1" }), null);
  const problem = ingestKeyProblem({ type: "srt", bindAddress: "::", streamKey: "ignored" });
  assert.equal(problem?.field, "srtPassphrase");
  assert.match(problem!.rule, /SRT passphrase is required/);
  assert.equal(
    ingestKeyProblem({ type: "srt", bindAddress: "192.168.1.2", srtPassphrase: "0123456789" }),
    null,
  );
});
