import type {
  EventName,
  GroupSnapshot,
  GroupState,
  OutputGroup,
  StreamTarget,
} from "@spiritstream/contracts";
import { type Logger, monotonicNow, type Redactor } from "@spiritstream/kit";
import { createMediaHub, type MediaHub } from "../hub/mod.ts";
import type { BackoffOptions } from "./backoff.ts";
import { codecSentence, findCodecMismatch } from "./explain_failure.ts";
import { isPassthrough } from "./is_passthrough.ts";
import { MeterSink } from "../hub/meter_sink.ts";
import { resolveTarget } from "./resolve_target.ts";
import { type TargetConnector, TargetSupervisor } from "./target_supervisor.ts";
import type { EngineAdapters, Transcoder } from "../ports.ts";
import type { Recorder } from "../recording/recorder.ts";

/** What a group needs from the engine. */
export interface GroupRuntimeOptions {
  group: OutputGroup;
  /** The tenant's ingest hub. */
  ingestHub: MediaHub;
  ffmpegPath: () => Promise<string>;
  logger: Logger;
  redactor: Redactor;
  marker: string;
  /** The target connector of each protocol, and the transcoder. */
  adapters: Pick<EngineAdapters, "targets" | "transcoder">;
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
  stallTimeoutMs?: number;
  /** How far behind live a passthrough target may fall (SPIRITSTREAM_TARGET_MAX_LAG_MS). */
  targetMaxLagMs?: number;
  /** Extra PEM authorities for `rtmps://` targets. */
  caCerts?: string[];
  resolveEnv: (name: string) => string | undefined;
  /** Names besides `SPIRITSTREAM_KEY_*` that `${NAME}` keys may read. */
  keyEnvAllow?: readonly string[];
  emit: (event: EventName, payload: unknown) => void;
  isDisabled: (targetId: string) => boolean;
  /** Makes the recorder of a group whose recording is on (null: not recorded here). */
  recorder?: (group: OutputGroup) => Recorder | null;
}

interface TargetEntry {
  supervisor: TargetSupervisor;
  signature: string;
  lastBytes: number;
  lastAt: number;
}

const SUGGESTION = "Check the group's codec, preset and profile against the encoders FFmpeg " +
  "offers here (Settings → Encoders), then retry.";

/**
 * One running output group: its targets (each supervised on its own) fed from the ingest hub
 * (passthrough) or from the group's own hub behind ONE FFmpeg encode (re-encode), plus its
 * stats. Groups never touch each other.
 */
export class GroupRuntime {
  readonly id: string;
  readonly passthrough: boolean;
  readonly startedAt = monotonicNow();
  #options: GroupRuntimeOptions;
  #group: OutputGroup;
  #hub: MediaHub;
  #meter = new MeterSink();
  #encoder: Transcoder | null = null;
  #targets = new Map<string, TargetEntry>();
  #state: GroupState = "starting";
  /** Set when stop() begins: from then on no stats of this group are emitted. */
  #stopped = false;
  #lastOutput = { bytes: 0, at: monotonicNow() };
  #recorder: Recorder | null = null;

  private constructor(options: GroupRuntimeOptions) {
    this.#options = options;
    this.#group = options.group;
    this.id = options.group.id;
    this.passthrough = isPassthrough(options.group);
    this.#hub = this.passthrough ? options.ingestHub : createMediaHub({ logger: options.logger });
  }

  /** Validates the group (throws invalid_argument for bad encoder settings) and starts it. */
  static async start(options: GroupRuntimeOptions): Promise<GroupRuntime> {
    const group = new GroupRuntime(options);
    if (!group.passthrough) {
      group.#encoder = await options.adapters.transcoder.create({
        ffmpegPath: options.ffmpegPath,
        settings: options.group,
        input: options.ingestHub,
        output: group.#hub,
        logger: options.logger,
        redactor: options.redactor,
        marker: options.marker,
        backoff: options.backoff,
        onRunning: () => {
          group.#setState("live");
          for (const entry of group.#targets.values()) entry.supervisor.resume();
        },
        onRestarting: (attempt, delayMs) => {
          if (group.#state !== "error") group.#setState("starting");
          options.emit("stream_reconnecting", {
            groupId: group.id,
            attempt,
            maxAttempts: 0,
            delaySecs: Math.round(delayMs / 100) / 10,
          });
        },
        onFailing: (reason, stderr) => group.#encoderFailing(reason, stderr),
      });
      group.#encoder.start();
    } else {
      group.#state = "live";
    }
    group.#hub.addSink(group.#meter);
    group.#record(options.group);
    for (const target of options.group.streamTargets) group.#addTarget(target);
    return group;
  }

  /** FFmpeg's pid for a re-encode group, ours for passthrough. */
  get pid(): number {
    return this.#encoder ? this.#encoder.pid || Deno.pid : Deno.pid;
  }
  get group(): OutputGroup {
    return this.#group;
  }
  hasTarget(targetId: string): boolean {
    return this.#targets.has(targetId);
  }

  /**
   * Applies a new version of the group without touching what did not change: "same" (nothing
   * to do), "updated" (targets added/removed/replaced, or only the encoder restarted), or
   * "restart" (passthrough ↔ re-encode: the caller restarts the group).
   */
  async update(group: OutputGroup): Promise<"same" | "updated" | "restart"> {
    if (isPassthrough(group) !== this.passthrough) return "restart";
    let changed = false;
    if (JSON.stringify(group.recording) !== JSON.stringify(this.#group.recording)) {
      await this.#record(group);
      changed = true;
    }
    if (this.#encoder && encodingSignature(group) !== encodingSignature(this.#group)) {
      await this.#encoder.restartNow(group);
      changed = true;
    }
    const wanted = new Map(group.streamTargets.map((t) => [t.id, t]));
    for (const [id, entry] of this.#targets) {
      const next = wanted.get(id);
      if (next && targetSignature(next) === entry.signature) continue;
      await entry.supervisor.stop();
      this.#targets.delete(id);
      changed = true;
    }
    this.#group = group;
    for (const target of group.streamTargets) {
      if (this.#targets.has(target.id)) continue;
      this.#addTarget(target);
      changed = true;
    }
    return changed ? "updated" : "same";
  }

  /** Disables or enables one target; the others are not touched. */
  async setTargetEnabled(targetId: string, enabled: boolean): Promise<void> {
    const entry = this.#targets.get(targetId);
    if (!entry) return;
    if (enabled) entry.supervisor.enable();
    else await entry.supervisor.disable();
  }

  /** "Retry now": reconnecting/failed targets and a waiting encoder try at once. */
  async retry(): Promise<boolean> {
    let retried = false;
    if (this.#encoder?.waiting) {
      await this.#encoder.restartNow();
      retried = true;
    }
    for (const entry of this.#targets.values()) {
      if (entry.supervisor.retryNow()) retried = true;
    }
    return retried;
  }

  /** Emits `stream_stats` and one `target_stats` per target; watches the encoder. */
  tick(now = monotonicNow()): void {
    // A tick that comes late (a timer already queued) must not outlive the stream.
    if (this.#stopped) return;
    const { emit } = this.#options;
    const meter = this.#meter.read(now);
    let targetDropped = 0;
    for (const entry of this.#targets.values()) {
      const { supervisor } = entry;
      targetDropped += supervisor.droppedTags;
      const bytes = supervisor.bytesSent;
      const kbps = supervisor.bitrateKbps(now);
      const liveSince = supervisor.liveSince;
      emit("target_stats", {
        groupId: this.id,
        targetId: supervisor.targetId,
        bitrate: liveSince ? kbps : 0,
        bytes,
        fps: liveSince ? meter.fps : 0,
        uptimeSecs: liveSince ? Math.round((now - liveSince) / 1000) : 0,
        reconnects: supervisor.reconnects,
        droppedFrames: supervisor.droppedTags,
      });
    }
    const encoder = this.#encoder;
    if (!encoder) {
      emit("stream_stats", {
        groupId: this.id,
        frame: meter.frames,
        fps: meter.fps,
        bitrate: meter.kbps,
        speed: meter.speed,
        size: meter.bytes,
        time: round(meter.time),
        droppedFrames: targetDropped,
        dupFrames: 0,
      });
      return;
    }
    encoder.watch(now);
    const progress = encoder.progress;
    const outputBytes = encoder.outputBytes;
    const delta = outputBytes >= this.#lastOutput.bytes ? outputBytes - this.#lastOutput.bytes : 0;
    const kbps = rate(delta, now - this.#lastOutput.at);
    this.#lastOutput = { bytes: outputBytes, at: now };
    emit("stream_stats", {
      groupId: this.id,
      frame: progress?.frame ?? 0,
      fps: meter.fps || progress?.fps || 0,
      bitrate: kbps,
      speed: progress?.speed ?? 0,
      size: outputBytes,
      time: round(progress?.outTime ?? 0),
      droppedFrames: (progress?.dropFrames ?? 0) + encoder.inputDropped + targetDropped,
      dupFrames: progress?.dupFrames ?? 0,
    });
  }

  /** Closes every target, then the encoder. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#setState("stopping");
    await Promise.all([...this.#targets.values()].map((e) => e.supervisor.stop()));
    await this.#encoder?.stop();
    await this.#record(null);
    this.#hub.removeSink(this.#meter);
    if (!this.passthrough) this.#hub.detachSource();
  }

  /** Replaces the group's recorder (null: none), ending the old one's part cleanly. */
  async #record(group: OutputGroup | null): Promise<void> {
    const old = this.#recorder;
    this.#recorder = group && this.#options.recorder ? this.#options.recorder(group) : null;
    if (this.#recorder) this.#hub.addSink(this.#recorder);
    if (!old) return;
    this.#hub.removeSink(old);
    await old.close();
  }

  snapshot(): GroupSnapshot {
    return {
      groupId: this.id,
      state: this.#state,
      startedAt: this.startedAt,
      targets: [...this.#targets.values()].map((e) => e.supervisor.snapshot()),
    };
  }

  /**
   * The encoder keeps failing. When FFmpeg said the container cannot carry the codec (HEVC into
   * FLV), no target can get media: each is taken down with that sentence instead of sitting
   * "live" on a stream that never comes.
   */
  #encoderFailing(reason: string, stderr: string[]): void {
    this.#setState("error");
    const cause = stderr.join("\n") || reason;
    const mismatch = findCodecMismatch(stderr);
    const label = this.#group.name || this.id;
    this.#options.emit("stream_error", {
      groupId: this.id,
      error: mismatch
        ? codecSentence(label, mismatch)
        : `The encoder of "${label}" keeps failing: ${reason}`,
      canRetry: true,
      suggestion: SUGGESTION,
      cause,
    });
    if (!mismatch) return;
    for (const entry of this.#targets.values()) {
      const { supervisor } = entry;
      void supervisor.failBecause(codecSentence(supervisor.name, mismatch), cause);
    }
  }

  #setState(state: GroupState): void {
    if (this.#state === "stopping") return;
    this.#state = state;
  }

  #addTarget(target: StreamTarget): void {
    const { logger, redactor, emit } = this.#options;
    const supervisor = new TargetSupervisor({
      targetId: target.id,
      name: target.name,
      logger: logger.child({ target: target.id }),
      redactor,
      backoff: this.#options.backoff,
      connector: this.#connector(target),
      onStatus: (update) => emit("target_status", { groupId: this.id, ...update }),
      onReconnecting: (attempt, delayMs) =>
        emit("stream_reconnecting", {
          groupId: this.id,
          attempt,
          maxAttempts: 0,
          delaySecs: Math.round(delayMs / 100) / 10,
        }),
    });
    this.#targets.set(target.id, {
      supervisor,
      signature: targetSignature(target),
      lastBytes: 0,
      lastAt: monotonicNow(),
    });
    supervisor.start(this.#options.isDisabled(target.id));
  }

  /** Resolves the key and URL on every attempt, so a fixed variable is picked up. */
  #connector(target: StreamTarget): TargetConnector {
    const { logger, redactor, resolveEnv, keyEnvAllow } = this.#options;
    return async (signal) => {
      const resolved = resolveTarget(target, resolveEnv, { keyEnvAllow });
      // Registered before connecting: the key can never reach a log line.
      redactor.add(resolved.key);
      const connect = this.#options.adapters.targets[resolved.kind]({
        url: resolved.url,
        hub: this.#hub,
        logger: logger.child({ target: target.id }),
        redactor,
        ffmpegPath: this.#options.ffmpegPath,
        marker: this.#options.marker,
        connectTimeoutMs: this.#options.connectTimeoutMs,
        stallTimeoutMs: this.#options.stallTimeoutMs,
        maxLagMs: this.#options.targetMaxLagMs,
        caCerts: this.#options.caCerts,
      });
      return await connect(signal);
    };
  }
}

function encodingSignature(group: OutputGroup): string {
  return JSON.stringify([group.video, group.audio, group.generatePts]);
}

function targetSignature(target: StreamTarget): string {
  return JSON.stringify([target.service, target.url, target.streamKey, target.name]);
}

function rate(bytes: number, ms: number): number {
  return ms > 0 ? Math.round(bytes * 8 / ms) : 0;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
