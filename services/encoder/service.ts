import { COMMANDS, eventSubject, LOCAL_TENANT } from "@spiritstream/contracts";
import { type Bus, type HostedService, hostService } from "@spiritstream/bus";
import { createRedactor, type Logger, readCaFile, type Redactor } from "@spiritstream/kit";
import { mediaAdapters } from "./adapters.ts";
import { createEngine, type Engine, type EngineOptions } from "./engine/mod.ts";
import { autoDownloadFfmpeg } from "./ffmpeg/auto_download_ffmpeg.ts";
import { createEventSink } from "./coordinator/event_sink.ts";
import { createFfmpegCache } from "./ffmpeg/ffmpeg_cache.ts";
import { createFfmpegSetting } from "./ffmpeg/ffmpeg_setting.ts";
import { type FfmpegDownloadConfig, FfmpegDownloader } from "./ffmpeg/mod.ts";
import { streamingHandlers } from "./commands/handlers_streaming.ts";
import { systemHandlers } from "./commands/handlers_system.ts";
import { StreamRequests } from "./commands/stream_requests.ts";
import { serveTenantLifecycle, tenantUsageHandler } from "./commands/tenant_handlers.ts";
import { busTenantLimits } from "./commands/tenant_quotas.ts";
import { recordingsHandlers } from "./commands/handlers_recordings.ts";
import { RecordingLibrary } from "./recording/recording_library.ts";
import type { LeaseStore } from "./leases/lease_store.ts";
import type { HandoverLink } from "./leases/handover_link.ts";
import { type SharedRtmpIngest, startSharedRtmpIngest } from "./rtmp/shared_rtmp_ingest.ts";
import { type SharedSrtIngest, startSharedSrtIngest } from "./srt/shared_srt_ingest.ts";
import { createMemoryLeaseStore } from "./leases/memory_lease_store.ts";
import type { RtmpProbeOptions } from "./rtmp/rtmp_probe.ts";
import {
  createStreamCoordinator,
  type StreamCoordinatorOptions,
} from "./coordinator/stream_coordinator.ts";
import { forgetEndedStream } from "./coordinator/forget_ended_stream.ts";
import { workerMetrics } from "./metrics/worker_metrics.ts";
import type { WorkerLoad } from "./coordinator/worker_load.ts";

/** Engine events that are counters only (bitrate, bytes): nothing in a status report. */
const COUNTER_EVENTS = new Set(["stream_stats", "target_stats", "ingest_stats"]);

/** What the encoder service is built from. */
export interface EncoderServiceDeps {
  bus: Bus;
  logger: Logger;
  /** The process's redactor; resolved stream keys are added to it. Default: a new one. */
  redactor?: Redactor;
  config: {
    /** SPIRITSTREAM_FFMPEG. */
    ffmpegPath: string | null;
    /** SPIRITSTREAM_CA_FILE: PEM authorities trusted for `rtmps://` targets. */
    caFile?: string | null;
    /** SPIRITSTREAM_TARGET_MAX_LAG_MS: how far behind live a passthrough target may fall. */
    targetMaxLagMs?: number;
    /** FFmpeg copies under `<dataDir>/ffmpeg` are the only ones delete_ffmpeg removes. */
    dataDir: string;
    /** SPIRITSTREAM_FFMPEG_DOWNLOAD_*: the pinned build download_ffmpeg installs, or none. */
    ffmpegDownload?: FfmpegDownloadConfig | null;
    /** SPIRITSTREAM_KEY_ENV_ALLOW: names besides `SPIRITSTREAM_KEY_*` keys may read. */
    keyEnvAllow?: readonly string[];
    /** SPIRITSTREAM_RECORDING_MIN_FREE_MB: recording stops below this free space. @default 1024 */
    recordingMinFreeMb?: number;
    /** SPIRITSTREAM_WORKER_MAX_TENANTS: tenants this worker runs at most. @default null (no limit) */
    workerMaxTenants?: number | null;
  };
  /** Snapshot of the environment: `${NAME}` stream keys and PATH (for FFmpeg). Default: empty. */
  env?: Record<string, string | undefined>;
  /** Where workers coordinate. Default: in-process (this worker runs every stream). */
  leases?: LeaseStore;
  /** Unique per process (SPIRITSTREAM_INSTANCE_ID). Default: a random id. */
  workerId?: string;
  /** Builds the streaming engine. Default: the real one. */
  createEngine?: (options: EngineOptions) => Engine;
  /** Lease timing (tests). */
  coordination?: Pick<
    StreamCoordinatorOptions,
    "leaseTtlMs" | "renewEveryMs" | "tickMs" | "retryFailedMs"
  >;
  /** How long a streaming command waits for its worker to apply it. @default 15000 */
  applyTimeoutMs?: number;
  /** For test_rtmp_target (e.g. a private CA). */
  probe?: RtmpProbeOptions;
  /** Extra PEM roots for the FFmpeg download server (tests with a private CA). */
  downloadCaCerts?: string[];
  /** Where installers put FFmpeg, besides PATH. Default: the OS's well-known paths. */
  ffmpegWellKnownPaths?: readonly string[];
  /** PEM authorities for `rtmps://`; default: read from `config.caFile` (SPIRITSTREAM_CA_FILE). */
  caCerts?: string[];
  /** Enforce tenant quotas at a start, asking the auth service (`busTenantLimits`). @default false */
  enforceQuotas?: boolean;
  /**
   * SPIRITSTREAM_INGEST_LISTEN: one RTMP server for every tenant of this worker, routing each
   * publisher by its key; a key of a tenant another worker runs is claimed from it (ownership
   * follows the publisher, through `handover`). Default: each RTMP ingest listens on its own URL.
   */
  sharedIngest?: { hostname: string; port: number; holdMs?: number };
  /**
   * SPIRITSTREAM_INGEST_SRT_LISTEN: one SRT listener for every tenant of this worker, routing
   * each caller by its `streamid` (the tenant's ingest key) and setting that tenant's passphrase
   * in the handshake; a tenant another worker runs is claimed from it, as with `sharedIngest`.
   * Default: each SRT ingest listens on its own URL.
   */
  sharedSrtIngest?: { hostname: string; port: number; holdMs?: number };
  /** How workers ask each other to hand a tenant over (NATS); needed by `sharedIngest`. */
  handover?: HandoverLink;
}

/** The running encoder service. */
export interface EncoderService extends HostedService {
  /** The shared ingest's bound port, or null without one. */
  readonly ingestPort: number | null;
  /**
   * Draining (SIGTERM): adopts nothing more, stops accepting publishers, releases the tenants
   * with no publisher at once, disconnects the live ones (OBS reconnects through the balancer to
   * a worker that claims the tenant) and waits until every tenant was handed over or `graceMs`
   * passed. `close()` then releases what is left.
   */
  drain(graceMs: number): Promise<void>;
}

/** The encoder service running: its commands are served. */
export interface EncoderService extends HostedService {
  /** This worker's load as Prometheus text (streams, groups, targets, tenant limit). */
  metrics(): Promise<string>;
  /** This worker's load, fresh from the engine. */
  load(): WorkerLoad;
}

/**
 * Serves the streaming and system commands. FFmpeg comes from (in order) the local tenant's
 * `ffmpegPath` setting read over the bus, SPIRITSTREAM_FFMPEG, PATH, then well-known paths;
 * the result and the encoder detection are cached until validate_ffmpeg_path, delete_ffmpeg
 * or a `settings_changed` event. Health: FFmpeg must be resolvable and the lease store readable.
 */
export async function startEncoderService(deps: EncoderServiceDeps): Promise<EncoderService> {
  const { bus } = deps;
  const logger = deps.logger.child({ service: "encoder" });
  const redactor = deps.redactor ?? createRedactor();
  const env = deps.env ?? {};
  const leases = deps.leases ?? createMemoryLeaseStore();
  const setting = createFfmpegSetting(bus, logger);
  const managedDir = `${deps.config.dataDir}/ffmpeg`;
  const sink = createEventSink(bus, logger);
  let downloadTenant = LOCAL_TENANT;
  const downloader = new FfmpegDownloader({
    config: deps.config.ffmpegDownload ?? null,
    managedDir,
    logger,
    caCerts: deps.downloadCaCerts,
    onProgress: (progress) => sink.emit(downloadTenant, "ffmpeg_download_progress", progress),
  });
  const ffmpeg = createFfmpegCache({
    settingPath: () => setting.read(),
    envPath: deps.config.ffmpegPath,
    managedPath: downloader.binaryPath,
    wellKnownPaths: deps.ffmpegWellKnownPaths,
    pathEnv: env.PATH,
    logger,
  });
  // Read once at start; a bad file is a ConfigError (one line naming the variable).
  const caCerts = deps.caCerts ??
    (deps.config.caFile ? await readCaFile(deps.config.caFile) : undefined);
  // Every tenant's recordings: `<dataDir>/recordings/t-<tenant hex>/` (shared volume in k8s).
  const recordings = new RecordingLibrary(`${deps.config.dataDir}/recordings`);
  const minFreeBytes = (deps.config.recordingMinFreeMb ?? 1024) * 1024 * 1024;
  let coordinator: ReturnType<typeof createStreamCoordinator> | null = null;
  const shared: SharedRtmpIngest | null = deps.sharedIngest
    ? startSharedRtmpIngest({
      ...deps.sharedIngest,
      logger: logger.child({ part: "shared-ingest" }),
      claim: (matches) =>
        coordinator?.claimIngest((spec) => Boolean(spec.streamKey) && matches(spec.streamKey!)) ??
          Promise.resolve(null),
    })
    : null;
  const sharedSrt: SharedSrtIngest | null = deps.sharedSrtIngest
    ? await startSharedSrtIngest({
      ...deps.sharedSrtIngest,
      logger: logger.child({ part: "shared-srt-ingest" }),
      peek: (matches) =>
        coordinator?.peekIngest((spec) => Boolean(spec.streamKey) && matches(spec.streamKey!)) ??
          null,
      claim: (matches) =>
        coordinator?.claimIngest((spec) => Boolean(spec.streamKey) && matches(spec.streamKey!)) ??
          Promise.resolve(null),
    })
    : null;
  const adapters = mediaAdapters();
  const ingestAdapters = {
    ...adapters.ingest,
    ...(shared ? { rtmp: shared.open } : {}),
    ...(sharedSrt ? { srt: sharedSrt.open } : {}),
  };
  const engine = (deps.createEngine ?? createEngine)({
    adapters: { ...adapters, ingest: ingestAdapters },
    ffmpegPath: () => ffmpeg.path(),
    logger,
    redactor,
    emit(tenantId, event, payload) {
      sink.emit(tenantId, event, payload);
      // The status report holds no counters: the once-a-second stats never change it, so they
      // wake no status check (one timer and one report compared a second, for nothing).
      if (!COUNTER_EVENTS.has(event)) coordinator?.touch(tenantId);
    },
    resolveEnv: (name) => env[name],
    keyEnvAllow: deps.config.keyEnvAllow,
    caCerts,
    targetMaxLagMs: deps.config.targetMaxLagMs,
    recordings: { library: recordings, minFreeBytes },
    // A standby slate's image or audio: the same host-path rule as the profiles' files.
    hostRoots: [deps.config.dataDir, ...(env.HOME ? [env.HOME] : [])],
    // Max standby ended the stream: forget its groups, so no worker starts them again.
    onStandbyExpired(tenantId) {
      if (coordinator) void forgetEndedStream(coordinator, { tenantId, logger });
    },
  });
  coordinator = createStreamCoordinator({
    store: leases,
    engine,
    workerId: deps.workerId ?? crypto.randomUUID(),
    logger,
    redactor,
    maxTenants: deps.config.workerMaxTenants ?? null,
    handover: deps.handover,
    ...deps.coordination,
  });
  const settingsWatch = bus.follow(
    eventSubject(LOCAL_TENANT, "settings_changed"),
    {},
    () => ffmpeg.invalidate(),
  );
  await settingsWatch.ready;
  await coordinator.start();

  const tenantDeps = {
    bus,
    coordinator,
    requests: new StreamRequests(coordinator, deps.applyTimeoutMs ?? 15_000),
    tenantLimits: deps.enforceQuotas ? busTenantLimits(bus) : null,
  };
  const lifecycle = serveTenantLifecycle(tenantDeps);
  const hosted = hostService(bus, "encoder", {
    catalogue: COMMANDS,
    logger,
    checks: {
      ffmpeg: async () => void (await ffmpeg.path()),
      leases: async () => void (await leases.get("health.probe")),
    },
    handlers: {
      ...streamingHandlers({
        bus,
        coordinator,
        applyTimeoutMs: deps.applyTimeoutMs,
        tenantLimits: tenantDeps.tenantLimits,
      }),
      ...tenantUsageHandler(tenantDeps),
      ...recordingsHandlers(recordings),
      ...systemHandlers({
        ffmpeg,
        setting,
        managedDir,
        downloader,
        onDownloadCaller: (tenantId) => (downloadTenant = tenantId),
        probe: caCerts ? { ...deps.probe, caCerts: deps.probe?.caCerts ?? caCerts } : deps.probe,
      }),
    },
  });
  await Promise.all([hosted.ready, ...lifecycle.map((s) => s.ready)]);
  const running = coordinator;
  const autoDownload = autoDownloadFfmpeg({ ffmpeg, setting, downloader, logger });
  const metrics = workerMetrics(() => running.load());
  return {
    ready: hosted.ready,
    metrics,
    load: () => running.load(),
    ingestPort: shared?.port ?? null,
    async drain(graceMs) {
      if (!shared && !sharedSrt) return;
      const startedAt = Date.now();
      // Tenants OBS is not publishing to have nobody to follow: other workers adopt them now.
      const waiting = running.owned().filter((t) => engine.state(t).ingest.state !== "live");
      running.drain();
      shared?.stopAccepting();
      shared?.disconnectPublishers();
      sharedSrt?.stopAccepting();
      await sharedSrt?.disconnectCallers();
      await running.release(waiting);
      while (running.owned().length > 0 && Date.now() - startedAt < graceMs) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      logger.info(
        { ms: Date.now() - startedAt, left: running.owned().length },
        "Drained: tenants handed over to other workers",
      );
    },
    async close() {
      downloader.cancel();
      ffmpeg.close();
      await autoDownload;
      await hosted.close();
      await Promise.all(lifecycle.map((s) => s.close()));
      await running.close();
      await engine.close();
      await shared?.close();
      await sharedSrt?.close();
      await settingsWatch.close();
      await sink.flush();
      if (!deps.leases) await leases.close();
    },
  };
}
