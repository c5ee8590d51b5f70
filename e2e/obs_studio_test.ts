import assert from "node:assert/strict";
import { OBSWebSocket } from "obs-websocket-js";
import type { ObsState, StreamState } from "@spiritstream/contracts";
import {
  freePort,
  type NginxRtmp,
  type ObsStudio,
  startNginxRtmp,
  startObsStudio,
  waitFor,
} from "@spiritstream/testing";
import { type DesktopHost, startDesktopHost } from "../bench/lib/desktop_host.ts";
import {
  destinationStream,
  waitForBytesFlowing,
  waitForMedia,
} from "../bench/lib/destination_media.ts";
import { findLeakedSecrets } from "../bench/lib/secret_scan.ts";
import { nginxTarget, secretKey } from "../bench/lib/stream_setup.ts";
import { type Defer, withCleanup } from "./with_cleanup.ts";

// obs-websocket 5.1 listens on every interface (research/obs_headless.md): the scenario runs in
// a private network namespace (this file again, under `unshare -n`), with the host, nginx and
// OBS inside, so nothing outside the machine can reach OBS while the test runs.
const IN_NETNS = Deno.env.get("SPIRITSTREAM_TEST_NETNS") === "1";

if (!IN_NETNS) {
  Deno.test("OBS Studio scenario: runs in a private network namespace", async () => {
    const self = new URL(import.meta.url).pathname;
    const child = new Deno.Command("unshare", {
      args: [
        "-n",
        "sh",
        "-c",
        'ip link set lo up && exec "$0" test -A --no-check=remote "$1"',
        Deno.execPath(),
        self,
      ],
      env: { SPIRITSTREAM_TEST_NETNS: "1", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    });
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `The OBS scenario failed (needs root for unshare -n):\n${text}`);
    assert.match(text, /ok \| \d+ passed \(\d+ steps?\)/);
  });
}

const OBS_PASSWORD = `obs-pw-${crypto.randomUUID().slice(0, 12)}`;

interface Rig {
  host: DesktopHost;
  nginx: NginxRtmp;
  obsPort: number;
  ingestPort: number;
  key: string;
  profileName: string;
  profileId: string;
}

async function setUp(defer: Defer): Promise<Rig> {
  const nginx = await startNginxRtmp({ apps: 1 });
  defer(() => nginx.stop());
  const host = await startDesktopHost();
  defer(() => host.stop());
  const rig = {
    host,
    nginx,
    obsPort: freePort(),
    ingestPort: freePort(),
    key: secretKey("obs-dest"),
    profileName: "OBS test",
    profileId: crypto.randomUUID(),
  };
  await host.call("save_profile", { profile: obsProfile(rig) });
  await host.call("load_profile", { name: rig.profileName });
  return rig;
}

function obsProfile(rig: Omit<Rig, "host">, options: { autoConnect?: boolean } = {}) {
  return {
    id: rig.profileId,
    name: rig.profileName,
    input: { type: "rtmp", bindAddress: "127.0.0.1", port: rig.ingestPort, application: "live" },
    outputGroups: [{
      id: "default",
      name: "Passthrough (Default)",
      isDefault: true,
      video: { codec: "copy", width: 0, height: 0, fps: 0, bitrate: "0k" },
      audio: { codec: "copy", bitrate: "0k", channels: 0, sampleRate: 0 },
      streamTargets: [nginxTarget(rig.nginx, "dest", 0, rig.key)],
    }],
    settings: {
      obs: {
        host: "127.0.0.1",
        port: rig.obsPort,
        password: OBS_PASSWORD,
        useAuth: true,
        direction: "disabled",
        autoConnect: options.autoConnect ?? false,
      },
    },
  };
}

function launchObs(
  rig: Rig,
  options: { home?: string; startStreaming?: boolean; password?: string } = {},
) {
  return startObsStudio({
    websocketPort: rig.obsPort,
    password: OBS_PASSWORD,
    server: `rtmp://127.0.0.1:${rig.ingestPort}/live`,
    streamKey: "obs",
    ...options,
  });
}

async function obsState(host: DesktopHost): Promise<ObsState> {
  return await host.call<ObsState>("obs_get_state");
}

async function setDirection(host: DesktopHost, rig: Rig, direction: string): Promise<void> {
  await host.call("obs_set_config", {
    host: "127.0.0.1",
    port: rig.obsPort,
    useAuth: true,
    direction,
    autoConnect: true,
    serverLink: true,
  });
}

/** Starts OBS's stream straight through obs-websocket, as a user clicking in OBS would. */
async function clickStartInObs(rig: Rig): Promise<void> {
  const client = new OBSWebSocket();
  await client.connect(`ws://127.0.0.1:${rig.obsPort}`, OBS_PASSWORD);
  try {
    await client.call("StartStream");
  } finally {
    await client.disconnect();
  }
}

async function groupsLive(host: DesktopHost): Promise<boolean> {
  const state = await host.call<StreamState>("get_stream_state");
  return state.groups.length > 0 && state.groups.every((g) => g.state === "live");
}

if (IN_NETNS) {
  Deno.test("OBS Studio: control over obs-websocket, media through us, the OBS link option, and an OBS restart", (t) =>
    withCleanup(async (defer) => {
      const rig = await setUp(defer);
      const { host, nginx } = rig;
      const ws = await host.ws();
      defer(() => ws.close());
      let obs: ObsStudio = await launchObs(rig);
      defer(() => obs.stop({ removeHome: true }));

      await t.step("obs_connect with the profile's password; obs_get_state reads OBS", async () => {
        await waitFor(async () => (await host.invoke("obs_connect")).status === 200, {
          timeoutMs: 30_000,
          what: `OBS to accept the control link:\n${obs.output()}`,
        });
        const state = await obsState(host);
        assert.equal(state.connectionStatus, "connected");
        assert.equal(state.streamStatus, "inactive");
        assert.match(state.obsVersion ?? "", /^\d+\.\d+/);
        assert.match(state.websocketVersion ?? "", /^5\./);
        assert.equal(await host.call("obs_is_connected"), true);
        await ws.next("obs://status", (p: { status: string }) => p.status === "connected");
      });

      await t.step(
        "a wrong password is refused with a clear error that does not echo it",
        async () => {
          await host.call("obs_disconnect");
          await host.call("obs_set_config", {
            host: "127.0.0.1",
            port: rig.obsPort,
            password: "not-the-obs-password",
            useAuth: true,
            direction: "disabled",
            autoConnect: false,
          });
          const reply = await host.invoke("obs_connect");
          assert.equal(reply.status, 400);
          assert.match(String(reply.body.error), /refused the password/);
          assert.doesNotMatch(String(reply.body.error), /not-the-obs-password/);
          assert.equal((await obsState(host)).connectionStatus, "error");
          await host.call("obs_set_config", {
            host: "127.0.0.1",
            port: rig.obsPort,
            password: OBS_PASSWORD,
            useAuth: true,
            direction: "disabled",
            autoConnect: false,
          });
          await host.call("obs_connect");
        },
      );

      await t.step(
        "obs_start_stream: OBS streams into our ingest, media reaches nginx through us",
        async () => {
          await host.call("open_ingest", {
            incomingUrl: `rtmp://127.0.0.1:${rig.ingestPort}/live`,
          });
          const profile = obsProfile(rig);
          await host.call("start_all_streams", {
            groups: profile.outputGroups,
            incomingUrl: `rtmp://127.0.0.1:${rig.ingestPort}/live`,
          });
          await host.call("obs_start_stream");
          await waitForMedia(nginx, 0, rig.key, { timeoutMs: 30_000 });
          await waitFor(async () => (await obsState(host)).streamStatus === "active", {
            timeoutMs: 10_000,
            what: "obs_get_state to say OBS streams",
          });
          await ws.next("obs://stream_state", (p: { active: boolean }) => p.active);
        },
      );

      await t.step("obs_stop_stream: OBS stops", async () => {
        const since = performance.now();
        await host.call("obs_stop_stream");
        await ws.next("obs://stream_state", (p: { active: boolean }) => !p.active, { since });
        assert.equal((await obsState(host)).streamStatus, "inactive");
        await host.call("stop_all_streams");
      });

      await t.step("without serverLink the server leaves the link to the browser", async () => {
        await host.call("obs_set_config", {
          host: "127.0.0.1",
          port: rig.obsPort,
          useAuth: true,
          direction: "obs-to-spiritstream",
          autoConnect: false,
          serverLink: false,
        });
        // The ingest is open (as the dashboard opens it for the active profile): OBS streams.
        await host.call("open_ingest", {
          incomingUrl: `rtmp://127.0.0.1:${rig.ingestPort}/live`,
        });
        await clickStartInObs(rig);
        await waitFor(async () => (await obsState(host)).streamStatus === "active", {
          timeoutMs: 10_000,
          what: "OBS to stream",
        });
        await new Promise((resolve) => setTimeout(resolve, 3000));
        assert.equal(await host.call("get_active_stream_count"), 0);
        const stopped = performance.now();
        await host.call("obs_stop_stream");
        await ws.next("obs://stream_state", (p: { active: boolean }) => !p.active, {
          since: stopped,
        });
      });

      await t.step(
        "link option obs-to-spiritstream: OBS starting its stream makes our groups go live",
        async () => {
          await setDirection(host, rig, "obs-to-spiritstream");
          const before = (await destinationStream(nginx, 0, rig.key))?.bytesIn ?? 0;
          await clickStartInObs(rig);
          await waitFor(() => groupsLive(host), { timeoutMs: 30_000, what: "our groups live" });
          await waitForMedia(nginx, 0, rig.key, { timeoutMs: 30_000, bytesAbove: before });
        },
      );

      await t.step(
        "killing OBS and starting it again: the destination stays connected, the link comes back",
        async () => {
          const streamBefore = await destinationStream(nginx, 0, rig.key);
          assert.ok(streamBefore?.publishing);
          const since = performance.now();
          const home = obs.home;
          await obs.stop();
          await ws.next("obs://status", (p: { status: string }) => p.status === "error", { since });
          assert.equal(await host.call("obs_is_connected"), false);
          obs = await launchObs(rig, { home, startStreaming: true });
          await waitFor(async () => (await host.call("obs_is_connected")) === true, {
            timeoutMs: 40_000,
            what: `the control link to come back by itself:\n${obs.output()}`,
          });
          await waitForBytesFlowing(nginx, 0, rig.key, { timeoutMs: 30_000 });
          const streamAfter = await destinationStream(nginx, 0, rig.key);
          // Same nginx stream, never republished: its clock kept running across the OBS restart.
          assert.ok(streamAfter && streamAfter.time >= streamBefore.time, "the destination stayed");
          assert.ok(await groupsLive(host), "our groups stayed live");
        },
      );

      await t.step("link option: OBS stopping its stream stops our groups", async () => {
        await host.call("obs_stop_stream");
        await waitFor(async () => (await host.call<number>("get_active_stream_count")) === 0, {
          timeoutMs: 20_000,
          what: "our groups to stop with OBS",
        });
      });

      await t.step(
        "link option spiritstream-to-obs: our go-live starts OBS, our stop stops it",
        async () => {
          await setDirection(host, rig, "spiritstream-to-obs");
          const profile = obsProfile(rig);
          await host.call("start_all_streams", {
            groups: profile.outputGroups,
            incomingUrl: `rtmp://127.0.0.1:${rig.ingestPort}/live`,
          });
          await waitFor(async () => (await obsState(host)).streamStatus === "active", {
            timeoutMs: 20_000,
            what: "OBS to start streaming when we went live",
          });
          await waitForBytesFlowing(nginx, 0, rig.key, { timeoutMs: 30_000 });
          await host.call("stop_all_streams");
          await waitFor(async () => (await obsState(host)).streamStatus === "inactive", {
            timeoutMs: 20_000,
            what: "OBS to stop streaming when we stopped",
          });
        },
      );

      await t.step("a profile with autoConnect connects to OBS when it is loaded", async () => {
        await host.call("obs_disconnect");
        assert.equal(await host.call("obs_is_connected"), false);
        await host.call("save_profile", { profile: obsProfile(rig, { autoConnect: true }) });
        await host.call("load_profile", { name: rig.profileName });
        await waitFor(async () => (await host.call("obs_is_connected")) === true, {
          timeoutMs: 20_000,
          what: "the profile's auto-connect",
        });
      });

      await t.step("an OBS without a password: obs_connect with useAuth off", async () => {
        await host.call("obs_disconnect");
        await obs.stop({ removeHome: true });
        obs = await launchObs(rig, { password: "" });
        await host.call("obs_set_config", {
          host: "127.0.0.1",
          port: rig.obsPort,
          password: "",
          useAuth: false,
          direction: "disabled",
          autoConnect: false,
        });
        await waitFor(async () => (await host.invoke("obs_connect")).status === 200, {
          timeoutMs: 30_000,
          what: `OBS without a password to accept the control link:\n${obs.output()}`,
        });
        assert.equal((await obsState(host)).connectionStatus, "connected");
      });

      await t.step("the OBS password is in no log line or event", () => {
        const texts = [...host.process.lines, ...host.process.errLines, ...ws.raw];
        assert.deepEqual(findLeakedSecrets(texts, [OBS_PASSWORD, rig.key]), []);
      });
    }));
}
