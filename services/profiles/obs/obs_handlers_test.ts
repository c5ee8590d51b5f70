import assert from "node:assert/strict";
import { MASKED_SECRET } from "@spiritstream/contracts";
import { freePort } from "@spiritstream/testing";
import { startHarness } from "../testdata/harness.ts";
import { sampleProfile, secret } from "../testdata/profiles.ts";

Deno.test('obs_get_config / obs_set_config: the OBS password is masked to viewers, kept by the mask, cleared by "", never logged', async () => {
  const h = await startHarness("sqlite");
  try {
    const password = secret("obspw");
    const keys = {
      twitch: secret("tw"),
      youtube: secret("yt"),
      kick: secret("kick"),
      obs: password,
    };
    await h.call("save_profile", { profile: sampleProfile("OBS", keys) });
    await h.call("load_profile", { name: "OBS" });

    const viewer = await h.call("obs_get_config", {}, { role: "viewer" });
    assert.equal(viewer.password, MASKED_SECRET);
    assert.equal(viewer.useAuth, true);
    assert.equal((await h.call("obs_get_config", {}, { role: "operator" })).password, password);
    assert.equal((await h.call("obs_get_config", {})).password, password, "open desktop host");

    const port = freePort();
    const base = { host: "127.0.0.1", port, useAuth: true, direction: "bidirectional" };
    await h.call("obs_set_config", { ...base, autoConnect: false });
    assert.equal((await h.call("obs_get_config", {})).password, password, "omitted keeps it");
    await h.call("obs_set_config", { ...base, password: MASKED_SECRET, autoConnect: false });
    assert.equal((await h.call("obs_get_config", {})).password, password, "the mask keeps it");
    const config = await h.call("obs_get_config", {});
    assert.equal(config.port, port);
    assert.equal(config.direction, "bidirectional");

    // Nothing listens on the port: the error names the address, not the password.
    const error = await h.fail("obs_connect", {});
    assert.match(
      error.message,
      new RegExp(`^Failed to connect to OBS at 127\\.0\\.0\\.1:${port}: `),
    );
    assert.equal((await h.call("obs_get_state", {})).connectionStatus, "error");
    assert.equal(await h.call("obs_is_connected", {}), false);
    assert.match((await h.fail("obs_start_stream", {})).message, /^Not connected to OBS$/);

    await h.call("obs_set_config", { ...base, password: "", autoConnect: false });
    assert.equal((await h.call("obs_get_config", {})).password, "", '"" clears it');
    assert.deepEqual(h.logs.filter((line) => line.includes(password)), []);
  } finally {
    await h.close();
  }
});

Deno.test("obs_set_config: an unknown direction means disabled; a bad port is refused naming the field", async () => {
  const h = await startHarness("sqlite");
  try {
    await h.call("obs_set_config", {
      host: "localhost",
      port: 4455,
      useAuth: false,
      direction: "sideways",
      autoConnect: false,
    });
    assert.equal((await h.call("obs_get_config", {})).direction, "disabled");
    const error = await h.fail("obs_set_config", {
      host: "localhost",
      port: 0,
      useAuth: false,
      direction: "disabled",
      autoConnect: false,
    });
    assert.match(error.message, /port/);
  } finally {
    await h.close();
  }
});
