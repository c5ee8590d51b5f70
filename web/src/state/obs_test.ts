import assert from "node:assert/strict";
import { foldObsStatus, foldObsStream } from "./obs.ts";

Deno.test("foldObsStatus/foldObsStream: OBS's state follows its events from connecting to streaming and back", () => {
  const connecting = foldObsStatus(null, { status: "connecting", host: "obs.lan", port: 4455 });
  assert.equal(connecting.connectionStatus, "connecting");
  const connected = foldObsStatus(connecting, {
    status: "connected",
    obsVersion: "31.0.2",
    websocketVersion: "5.5.4",
    streamStatus: "inactive",
  });
  assert.deepEqual(connected, {
    connectionStatus: "connected",
    streamStatus: "inactive",
    errorMessage: null,
    obsVersion: "31.0.2",
    websocketVersion: "5.5.4",
  });
  const streaming = foldObsStream(connected, { status: "active", active: true });
  assert.equal(streaming.streamStatus, "active");
  assert.equal(streaming.obsVersion, "31.0.2", "the versions stay while connected");

  // OBS quits: the error names why, and nothing of the old link remains.
  const lost = foldObsStatus(streaming, { status: "error", error: "OBS closed the link" });
  assert.deepEqual(lost, {
    connectionStatus: "error",
    streamStatus: "unknown",
    errorMessage: "OBS closed the link",
    obsVersion: null,
    websocketVersion: null,
  });
  // Connecting again clears the old error; a disconnect forgets the stream.
  const retry = foldObsStatus(lost, { status: "connecting", host: "obs.lan", port: 4455 });
  assert.equal(retry.errorMessage, null);
  assert.equal(foldObsStatus(streaming, { status: "disconnected" }).streamStatus, "unknown");
});
