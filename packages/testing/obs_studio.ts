import { requireBinary } from "./require_binary.ts";
import { stopProcess } from "./stop_process.ts";

/** Options for {@linkcode startObsStudio}. */
export interface ObsStudioOptions {
  /** obs-websocket port. */
  websocketPort: number;
  /** obs-websocket password; none = no authentication. */
  password?: string;
  /** Where OBS streams (Settings → Stream → Custom server), e.g. `rtmp://127.0.0.1:1935/live`. */
  server: string;
  /** The stream key OBS sends. */
  streamKey: string;
  /** Start streaming at launch (`--startstreaming`). @default false */
  startStreaming?: boolean;
  /** Reuse the config folder of an earlier run (a restart); default: a new temp HOME. */
  home?: string;
}

/** A running OBS Studio under Xvfb. */
export interface ObsStudio {
  /** The temp HOME holding its configuration (pass it back to restart with the same setup). */
  readonly home: string;
  readonly pid: number;
  /** The last lines OBS printed (for failure messages). */
  output(): string;
  /** Ends OBS and Xvfb (SIGTERM ends OBS at once); the HOME stays unless `removeHome`. */
  stop(options?: { removeHome?: boolean }): Promise<void>;
}

const PROFILE = "SpiritTest";
const COLLECTION = "SpiritTest";

/**
 * Starts the real OBS Studio headless (research/obs_headless.md): a 640x360 colour source, x264
 * ultrafast with a keyframe every 2 s, obs-websocket on `websocketPort`. Everything is written
 * into a temp HOME first, so no dialog appears. obs-websocket listens on every interface: run
 * the test in a private network namespace.
 */
export async function startObsStudio(options: ObsStudioOptions): Promise<ObsStudio> {
  const xvfbRun = requireBinary("xvfb-run", { pkg: "xvfb" });
  requireBinary("obs", { pkg: "obs-studio" });
  const home = options.home ?? await Deno.makeTempDir({ prefix: "spiritstream-obs-" });
  await writeObsConfig(home, options);
  const args = [
    "-a",
    "-s",
    "-screen 0 1280x720x24 -nolisten tcp",
    "obs",
    "--multi",
    "--minimize-to-tray",
    "--disable-updater",
    "--disable-missing-files-check",
    "--profile",
    PROFILE,
    "--collection",
    COLLECTION,
    ...(options.startStreaming ? ["--startstreaming"] : []),
  ];
  const child = new Deno.Command(xvfbRun, {
    args,
    env: {
      HOME: home,
      XDG_CONFIG_HOME: `${home}/.config`,
      LIBGL_ALWAYS_SOFTWARE: "1",
      QT_QPA_PLATFORM: "xcb",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  void collect(child.stdout, lines);
  void collect(child.stderr, lines);
  return {
    home,
    pid: child.pid,
    output: () => lines.slice(-40).join("\n"),
    async stop(stopOptions = {}) {
      // xvfb-run waits for OBS; killing the whole tree (OBS, Xvfb, the shell) leaves nothing.
      for (const pid of await descendants(child.pid)) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
      await stopProcess(child, { graceMs: 3_000 });
      if (stopOptions.removeHome) await Deno.remove(home, { recursive: true }).catch(() => {});
    },
  };
}

async function collect(stream: ReadableStream<Uint8Array>, lines: string[]): Promise<void> {
  const decoder = new TextDecoder();
  let rest = "";
  for await (const bytes of stream) {
    const parts = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = parts.pop() ?? "";
    lines.push(...parts);
    if (lines.length > 400) lines.splice(0, lines.length - 400);
  }
}

/** Every process below `pid` (children first read from /proc). */
async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let children = "";
    try {
      children = await Deno.readTextFile(`/proc/${parent}/task/${parent}/children`);
    } catch {
      continue;
    }
    for (const child of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

async function writeObsConfig(home: string, options: ObsStudioOptions): Promise<void> {
  const root = `${home}/.config/obs-studio`;
  const profileDir = `${root}/basic/profiles/${PROFILE}`;
  await Deno.mkdir(profileDir, { recursive: true });
  await Deno.mkdir(`${root}/basic/scenes`, { recursive: true });
  await Deno.writeTextFile(`${root}/global.ini`, globalIni(options));
  await Deno.writeTextFile(`${profileDir}/basic.ini`, BASIC_INI);
  await Deno.writeTextFile(
    `${profileDir}/service.json`,
    JSON.stringify({
      type: "rtmp_custom",
      settings: { server: options.server, key: options.streamKey },
    }),
  );
  await Deno.writeTextFile(`${root}/basic/scenes/${COLLECTION}.json`, JSON.stringify(SCENES));
}

function globalIni(options: ObsStudioOptions): string {
  const auth = options.password
    ? `AuthRequired=true\nServerPassword=${options.password}`
    : "AuthRequired=false";
  return `[General]
FirstRun=true
EnableAutoUpdates=false
ConfirmOnExit=false
LastVersion=486539266
Pre19Defaults=false
Pre21Defaults=false
Pre23Defaults=false
Pre24.1Defaults=false

[Basic]
Profile=${PROFILE}
ProfileDir=${PROFILE}
SceneCollection=${COLLECTION}
SceneCollectionFile=${COLLECTION}

[BasicWindow]
WarnBeforeStartingStream=false
WarnBeforeStoppingStream=false

[OBSWebSocket]
FirstLoad=false
ServerEnabled=true
ServerPort=${options.websocketPort}
AlertsEnabled=false
${auth}
`;
}

const BASIC_INI = `[General]
Name=${PROFILE}

[Output]
Mode=Simple
Reconnect=true
RetryDelay=2
MaxRetries=25

[SimpleOutput]
VBitrate=800
ABitrate=96
StreamEncoder=x264
Preset=ultrafast
UseAdvanced=true
x264Settings=keyint=60

[Video]
BaseCX=640
BaseCY=360
OutputCX=640
OutputCY=360
FPSType=0
FPSCommon=30

[Audio]
SampleRate=48000
`;

const SCENES = {
  name: COLLECTION,
  current_scene: "Scene",
  current_program_scene: "Scene",
  scene_order: [{ name: "Scene" }],
  sources: [
    {
      id: "scene",
      versioned_id: "scene",
      name: "Scene",
      uuid: "6e0a4c1e-0000-4000-8000-000000000001",
      settings: {
        items: [{
          name: "Colour",
          source_uuid: "6e0a4c1e-0000-4000-8000-000000000002",
          visible: true,
          id: 1,
          pos: { x: 0, y: 0 },
          scale: { x: 1, y: 1 },
        }],
        id_counter: 1,
      },
    },
    {
      id: "color_source",
      versioned_id: "color_source_v3",
      name: "Colour",
      uuid: "6e0a4c1e-0000-4000-8000-000000000002",
      settings: { color: 4281545727, width: 640, height: 360 },
    },
  ],
};
