import assert from "node:assert/strict";
import { connectSlowClient, msUntil, type SlowClient } from "@spiritstream/testing";
import { startDesktopHost } from "../bench/lib/desktop_host.ts";
import { withCleanup } from "./with_cleanup.ts";

/** The gateway's default header deadline (DEFAULT_HTTP_LIMITS.headersTimeoutMs). */
const HEADER_DEADLINE_MS = 10_000;

function wsUpgrade(host: string): string {
  return `GET /ws HTTP/1.1\r\nHost: ${host}\r\nOrigin: http://${host}\r\nUpgrade: websocket\r\n` +
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
    "Sec-WebSocket-Version: 13\r\n\r\n";
}

Deno.test("desktop host: 100 sockets dribbling headers are closed at the deadline and never lock the dashboard out", async () => {
  await withCleanup(async (defer) => {
    const host = await startDesktopHost({ logLevel: "warn" });
    defer(() => host.stop());
    const dribblers: SlowClient[] = [];
    defer(() => dribblers.forEach((d) => d.close()));
    for (let i = 0; i < 100; i++) {
      const client = await connectSlowClient(host.port);
      dribblers.push(client);
      await client.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    }
    const dashboard = await host.invoke("get_settings");
    assert.equal(dashboard.status, 200, "served beside 100 dribbling sockets");
    const ws = await host.ws();
    defer(() => ws.close());
    // The deadline, checked twice a second, plus a wide margin for a loaded machine.
    const ms = await msUntil(Promise.all(dribblers.map((d) => d.closed)), HEADER_DEADLINE_MS * 2);
    assert.ok(ms !== null, `dribbling sockets still open ${HEADER_DEADLINE_MS * 2} ms later`);
  });
});

Deno.test("desktop host: /ws refuses a rebound Host with its matching Origin over a real socket", async () => {
  await withCleanup(async (defer) => {
    const host = await startDesktopHost({ logLevel: "warn" });
    defer(() => host.stop());
    const client = await connectSlowClient(host.port);
    defer(() => client.close());
    await client.send(wsUpgrade(`127.0.0.1.x.attacker.example:${host.port}`));
    const response = await client.closed;
    assert.match(response, /^HTTP\/1\.1 403 /);
    assert.match(response, /Host not allowed/);
    const ws = await host.ws();
    await ws.close();
  });
});
