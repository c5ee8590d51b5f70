import assert from "node:assert/strict";
import { decodeSockaddr, encodeSockaddr, resolveHost } from "./sockaddr.ts";

Deno.test("encodeSockaddr() builds sockaddr_in and sockaddr_in6 that decodeSockaddr() reads back", () => {
  const v4 = encodeSockaddr({ hostname: "127.0.0.1", port: 9000 });
  assert.equal(v4.length, 16);
  assert.deepEqual([...v4.subarray(2, 8)], [0x23, 0x28, 127, 0, 0, 1]);
  assert.equal(decodeSockaddr(v4), "127.0.0.1:9000");
  const v6 = encodeSockaddr({ hostname: "2001:db8::1", port: 443 });
  assert.equal(v6.length, 28);
  assert.equal(decodeSockaddr(v6), "[2001:db8::1]:443");
  assert.equal(decodeSockaddr(encodeSockaddr({ hostname: "::", port: 1 })), "[::]:1");
});

Deno.test("resolveHost() keeps IP literals and resolves names through the system resolver", async () => {
  assert.equal(await resolveHost("[::1]", "url"), "::1");
  assert.match(await resolveHost("localhost", "url"), /^(127\.0\.0\.1|::1)$/);
  await assert.rejects(
    resolveHost("no-such-host.invalid", "url"),
    /SRT host "no-such-host.invalid" of "url" could not be resolved/,
  );
});
