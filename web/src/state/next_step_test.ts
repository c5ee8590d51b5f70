import assert from "node:assert/strict";
import { nextStep } from "./next_step.ts";

Deno.test("nextStep() says in words what the dashboard waits for", () => {
  const base = {
    profile: "Show",
    targets: 2,
    onAir: false,
    ingest: null,
    serverUrl: "rtmp://127.0.0.1:1935/live",
  };
  assert.equal(nextStep({ ...base, profile: null }), "Choose a profile to go live.");
  assert.match(nextStep({ ...base, targets: 0 }), /no stream targets yet/);
  assert.equal(
    nextStep({ ...base, ingest: "waiting" }),
    "Ready: 2 targets in “Show”. Waiting for OBS: press “Start Streaming” in OBS " +
      "(server rtmp://127.0.0.1:1935/live).",
  );
  assert.equal(
    nextStep({ ...base, ingest: "live" }),
    "Ready: 2 targets in “Show”. OBS is sending: press Go live.",
  );
  assert.match(nextStep({ ...base, ingest: "idle" }), /The ingest is closed: Go live opens it/);
  assert.equal(nextStep({ ...base, onAir: true, ingest: "live" }), "On air with “Show”.");
});
