import assert from "node:assert/strict";
import { decode, encode } from "@msgpack/msgpack";
import { ObsConfig } from "@spiritstream/contracts";
import { createLogger } from "@spiritstream/kit";
import { freePort } from "@spiritstream/testing";
import { ObsConnection } from "./obs_connection.ts";

/**
 * A peer that speaks obs-websocket 5's handshake (Hello, Identified) and then never answers a
 * request: a hung OBS. The protocol is what OBS itself sends; only the silence is the fault.
 */
/** One obs-websocket message, MessagePack-encoded, as a plain buffer `send()` takes. */
function frame(message: unknown): Uint8Array<ArrayBuffer> {
  return new Uint8Array(encode(message));
}

function startSilentObs(port: number) {
  const sockets: WebSocket[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (request) => {
    // obs-websocket-js asks for the MessagePack flavour of the protocol.
    const { socket, response } = Deno.upgradeWebSocket(request, {
      protocol: "obswebsocket.msgpack",
    });
    socket.binaryType = "arraybuffer";
    sockets.push(socket);
    socket.onopen = () =>
      socket.send(frame({ op: 0, d: { obsWebSocketVersion: "5.1.0", rpcVersion: 1 } }));
    socket.onmessage = (event) => {
      const message = decode(new Uint8Array(event.data)) as { op: number };
      if (message.op === 1) socket.send(frame({ op: 2, d: { negotiatedRpcVersion: 1 } }));
      // op 6 (requests): no answer, ever.
    };
    return response;
  });
  return {
    async stop() {
      for (const socket of sockets) socket.close();
      await server.shutdown();
    },
  };
}

Deno.test("ObsConnection.connect() gives up on an OBS that identifies us and then never answers", async () => {
  const port = freePort();
  const obs = startSilentObs(port);
  const statuses: string[] = [];
  const connection = new ObsConnection({
    logger: createLogger({ level: "silent" }),
    events: { status: (s) => void statuses.push(s.status), streamState() {} },
    connectTimeoutMs: 500,
  });
  try {
    connection.configure(ObsConfig.parse({ host: "127.0.0.1", port }));
    const started = Date.now();
    await assert.rejects(connection.connect(), (error: Error) => {
      assert.match(error.message, /no answer within 500 ms/, error.message);
      return true;
    });
    assert.ok(Date.now() - started < 5000, "bounded by the timeout, not by OBS");
    assert.equal(connection.state().connectionStatus, "error");
  } finally {
    await connection.disconnect();
    await obs.stop();
  }
});
