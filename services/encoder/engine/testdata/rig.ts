import { type EventName, LOCAL_TENANT, parseEvent } from "@spiritstream/contracts";
import { createRedactor, type Redactor } from "@spiritstream/kit";
import {
  ensureTestClip,
  freePort,
  type NginxRtmp,
  type NginxStream,
  requireBinary,
  startNginxRtmp,
  startPublisher,
  type TestClipOptions,
  type TestPublisher,
} from "@spiritstream/testing";
import { mediaAdapters } from "../../adapters.ts";
import { captureLogger } from "../../testdata/capture_logger.ts";
import { createEngine, type Engine, type EngineOptions } from "../engine.ts";
import type { IngestSpec } from "../parse_ingest.ts";
import { markedProcesses } from "./marked_processes.ts";

/** One event the engine emitted, validated against the contracts, with its arrival time. */
export interface SeenEvent {
  at: number;
  tenantId: string;
  event: EventName;
  payload: unknown;
}

/** An engine on loopback with nginx-rtmp "platforms" and an FFmpeg "OBS". */
export interface Rig {
  engine: Engine;
  nginx: NginxRtmp;
  redactor: Redactor;
  ingest: IngestSpec;
  ingestKey: string;
  /** The engine's process marker (unique per rig). */
  marker: string;
  /** `rtmp://127.0.0.1:<port>/live/<ingestKey>`. */
  publishUrl: string;
  events: SeenEvent[];
  lines: string[];
  publisher: TestPublisher | null;
  clip: string;
  /** Starts (or restarts) the FFmpeg publisher. */
  publish(): Promise<TestPublisher>;
  /** Events of one name, payloads only. */
  seen<T = unknown>(event: EventName, since?: number): T[];
  stream(i: number, name: string): Promise<NginxStream | undefined>;
  /** bytes_in of stream `name` at destination i, asking that destination only (2 s budget). */
  bytesIn(i: number, name: string): Promise<number>;
  stop(): Promise<void>;
}

/** Options for {@linkcode startRig}. */
export interface RigOptions {
  apps?: number;
  clip?: TestClipOptions;
  engine?: Partial<EngineOptions>;
  /** Extra ingest settings (e.g. `standby`). */
  ingest?: Partial<IngestSpec>;
}

/** Starts nginx destinations and an engine whose ingest is open (nobody publishing yet). */
export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const clip = await ensureTestClip(options.clip);
  const { logger, lines } = captureLogger();
  const redactor = createRedactor();
  const nginx = await startNginxRtmp({ apps: options.apps ?? 2 });
  const events: SeenEvent[] = [];
  const ffmpeg = requireBinary("ffmpeg");
  const marker = `rig-${crypto.randomUUID()}`;
  const engine = createEngine({
    adapters: mediaAdapters(),
    processMarker: marker,
    ffmpegPath: () => Promise.resolve(ffmpeg),
    logger,
    redactor,
    resolveEnv: (name) => Deno.env.get(name),
    emit(tenantId, event, payload) {
      // Every payload must satisfy the wire contract.
      events.push({ at: Date.now(), tenantId, event, payload: parseEvent(event, payload) });
    },
    ...options.engine,
  });
  const ingestKey = "ingest-secret-key-0001";
  const port = freePort();
  const ingest: IngestSpec = {
    url: `rtmp://127.0.0.1:${port}/live`,
    streamKey: ingestKey,
    ...options.ingest,
  };
  await engine.openIngest(LOCAL_TENANT, ingest);
  const rig: Rig = {
    engine,
    nginx,
    redactor,
    ingest,
    ingestKey,
    marker,
    publishUrl: `rtmp://127.0.0.1:${port}/live/${ingestKey}`,
    events,
    lines,
    publisher: null,
    clip,
    async publish() {
      rig.publisher = await startPublisher(rig.publishUrl, { clip: rig.clip });
      return rig.publisher;
    },
    seen<T>(event: EventName, since = 0) {
      return events.filter((e) => e.event === event && e.at >= since).map((e) => e.payload as T);
    },
    async stream(i, name) {
      const stats = await nginx.stat();
      return stats[i]?.streams.find((s) => s.name === name);
    },
    async bytesIn(i, name) {
      // One destination only: a paused (SIGSTOP) nginx never answers its stat page.
      const response = await fetch(nginx.statUrls[i]!, { signal: AbortSignal.timeout(2000) });
      const xml = await response.text();
      for (const [, block] of xml.matchAll(/<stream>([\s\S]*?)<\/stream>/g)) {
        const own = block!.replace(/<client>[\s\S]*?<\/client>/g, "");
        if (own.includes(`<name>${name}</name>`)) {
          return Number(/<bytes_in>(\d+)<\/bytes_in>/.exec(own)?.[1] ?? 0);
        }
      }
      return 0;
    },
    async stop() {
      await engine.close();
      // close() promises that no FFmpeg survives it: every test using the rig checks that.
      const left = await markedProcesses(marker);
      for (const pid of left) Deno.kill(pid, "SIGKILL");
      await rig.publisher?.stop();
      await nginx.stop();
      if (left.length > 0) throw new Error(`FFmpeg left running after close(): ${left}`);
    },
  };
  return rig;
}

/** A target on nginx destination `i` with stream name `key`. */
export function nginxTarget(rig: Rig, id: string, i: number, key: string) {
  const url = rig.nginx.url(i, key);
  return {
    id,
    service: "Custom",
    name: id,
    url: url.slice(0, url.lastIndexOf("/")),
    streamKey: key,
  };
}

/** Whether some line of the log or the events contains one of `secrets`. */
export function leaks(rig: Rig, secrets: string[]): string | undefined {
  const texts = [...rig.lines, ...rig.events.map((e) => JSON.stringify(e.payload))];
  return texts.find((t) => secrets.some((s) => t.includes(s)));
}

export { copyGroup, x264Group } from "@spiritstream/testing";
