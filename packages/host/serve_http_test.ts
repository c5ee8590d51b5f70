import assert from "node:assert/strict";
import { type HttpHandler, type HttpLimits, serveHttp } from "./serve_http.ts";
import { connectSlowClient, msUntil } from "@spiritstream/testing";

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function serve(handler: HttpHandler, limits: Partial<HttpLimits> = {}) {
  return await serveHttp(handler, { hostname: "127.0.0.1", port: 0, limits });
}

const hello: HttpHandler = () => new Response("hello");

Deno.test("serveHttp closes a connection whose request headers stop arriving, at the header deadline", async () => {
  const server = await serve(hello, { headersTimeoutMs: 1_000 });
  const client = await connectSlowClient(server.addr.port);
  try {
    await client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1");
    // Deadline 1 s, checked every 0.5 s: a loaded machine gets 7 s more.
    const ms = await msUntil(client.closed, 8_000);
    assert.ok(ms !== null, "still open 8 s after a 1 s header deadline");
    assert.ok(ms >= 900, `closed after ${Math.round(ms)} ms, before the deadline`);
    assert.match(await client.closed, /^(HTTP\/1\.1 408|$)/);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("serveHttp serves a request whose headers arrive slowly but within the deadline", async () => {
  const server = await serve(hello, { headersTimeoutMs: 4_000 });
  const client = await connectSlowClient(server.addr.port);
  try {
    for (
      const part of ["GET / HT", "TP/1.1\r\n", "Host: 127", ".0.0.1\r\n", "Connection: close\r\n"]
    ) {
      await client.send(part);
      await delay(200);
    }
    await client.send("\r\n");
    const response = await client.closed;
    assert.match(response, /^HTTP\/1\.1 200/);
    assert.match(response, /hello$/);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("serveHttp closes a kept-alive connection that stays idle past the keep-alive timeout", async () => {
  const server = await serve(hello, { keepAliveTimeoutMs: 500 });
  const client = await connectSlowClient(server.addr.port);
  try {
    await client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    // Node adds a 1 s grace to the keep-alive timeout; a loaded machine gets 6 s more.
    const ms = await msUntil(client.closed, 8_000);
    assert.ok(ms !== null, "an idle kept-alive connection was still open after 8 s");
    assert.match(await client.closed, /^HTTP\/1\.1 200/);
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("serveHttp closes a request whose body stops arriving, at the request deadline", async () => {
  const server = await serve(async (request) => new Response(await request.text()), {
    headersTimeoutMs: 1_000,
    requestTimeoutMs: 1_500,
  });
  const client = await connectSlowClient(server.addr.port);
  try {
    await client.send("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nabc");
    const ms = await msUntil(client.closed, 9_000);
    assert.ok(ms !== null, "a stalled body held the connection 9 s past a 1.5 s deadline");
  } finally {
    client.close();
    await server.shutdown();
  }
});

Deno.test("serveHttp: 100 sockets dribbling headers do not keep a real request from being served", async () => {
  const server = await serve(hello, { maxConnections: 50 });
  const dribblers = await Promise.all(
    Array.from({ length: 100 }, () => connectSlowClient(server.addr.port)),
  );
  try {
    await Promise.all(dribblers.map((d) => d.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A")));
    await delay(200);
    assert.ok(server.connections() <= 50, `${server.connections()} connections over a cap of 50`);
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "hello");
  } finally {
    for (const d of dribblers) d.close();
    await server.shutdown();
  }
});

Deno.test("serveHttp streams and answers for longer than the request deadline, and answers HEAD", async () => {
  const server = await serve(async (request) => {
    if (request.method === "HEAD") return new Response("hello");
    if (new URL(request.url).pathname === "/slow") {
      await delay(1_500);
      return new Response("late");
    }
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await delay(100);
        controller.enqueue(new TextEncoder().encode(`chunk ${n}\n`));
        if (++n === 25) controller.close();
      },
    });
    return new Response(body);
  }, { headersTimeoutMs: 1_000, requestTimeoutMs: 1_000 });
  try {
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
    const text = await res.text();
    assert.equal(text.split("\n").filter(Boolean).length, 25, "2.5 s of streaming arrived whole");
    const slow = await fetch(`http://127.0.0.1:${server.addr.port}/slow`);
    assert.equal(await slow.text(), "late", "the request deadline is for receiving the request");
    const head = await fetch(`http://127.0.0.1:${server.addr.port}/`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), "");
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp hands WebSocket upgrades the socket, and writes a refusal back", async () => {
  const server = await serve((request, env) => {
    if (new URL(request.url).pathname !== "/ws") return new Response("no", { status: 403 });
    const { socket, response } = Deno.upgradeWebSocket(request, { ...env.upgrade });
    socket.onmessage = (event) => socket.send(`echo ${event.data}`);
    return response;
  }, { headersTimeoutMs: 1_000, requestTimeoutMs: 1_000, keepAliveTimeoutMs: 500 });
  try {
    const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    // Past every HTTP deadline: the upgraded socket is no longer the HTTP server's.
    await delay(2_500);
    const reply = new Promise((resolve) => ws.onmessage = (event) => resolve(event.data));
    ws.send("hi");
    assert.equal(await reply, "echo hi");
    const closed = new Promise((resolve) => ws.onclose = resolve);
    ws.close();
    await closed;
    const refused = await connectSlowClient(server.addr.port);
    await refused.send(
      "GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    const response = await refused.closed;
    refused.close();
    assert.match(response, /^HTTP\/1\.1 403 Forbidden\r\n/);
    assert.match(response, /\r\ncontent-length: 2\r\n[^]*\r\n\r\nno$/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp delivers a response sent before the streamed request body was read", async () => {
  // As the body limit does: read the first chunks, then refuse with 413.
  const server = await serve(async (request) => {
    const reader = request.body!.getReader();
    for (let read = 0; read < 1024 * 1024;) read += (await reader.read()).value?.length ?? 1e9;
    return new Response("too large", { status: 413 });
  });
  try {
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
        method: "POST",
        body: ReadableStream.from((function* () {
          for (let i = 0; i < 64; i++) yield new TextEncoder().encode("x".repeat(64 * 1024));
        })()),
      });
      statuses.push(`${res.status} ${await res.text()}`);
    }
    assert.deepEqual(statuses, Array(10).fill("413 too large"));
  } finally {
    await server.shutdown();
  }
});

Deno.test("serveHttp: an upgraded socket keeps Deno's idle timeout (a peer that never pongs is closed)", async () => {
  const server = await serve((request, env) => {
    const { response } = Deno.upgradeWebSocket(request, { ...env.upgrade, idleTimeout: 1 });
    return response;
  });
  const client = await connectSlowClient(server.addr.port);
  try {
    await client.send(
      "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
    const ms = await msUntil(client.closed, 10_000);
    assert.ok(ms !== null, "a silent WebSocket peer was still open 10 s after a 1 s idle timeout");
    const text = await client.closed;
    assert.match(text, /^HTTP\/1\.1 101 /);
    assert.match(text, /No response from ping frame/, "the server's close frame");
  } finally {
    client.close();
    await server.shutdown();
  }
});
