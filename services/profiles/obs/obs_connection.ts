import { OBSWebSocket } from "obs-websocket-js";
import {
  AppError,
  type ObsConfig,
  type ObsConnectionStatus,
  type ObsState,
  type ObsStatusEvent,
  type ObsStreamStatus,
} from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";

/** What an {@linkcode ObsConnection} reports. */
export interface ObsConnectionEvents {
  /** An `obs://status` transition. */
  status(event: ObsStatusEvent): void;
  /**
   * OBS's stream went active or inactive. `observed` is true for a change OBS announced while
   * connected, false for the state found on (re)connecting.
   */
  streamState(active: boolean, observed: boolean): void;
}

/** Options for {@linkcode ObsConnection}. */
export interface ObsConnectionOptions {
  logger: Logger;
  events: ObsConnectionEvents;
  /** Delays between reconnect attempts after a lost link. @default 500 ms doubling to 10 s */
  retryDelaysMs?: { first: number; max: number };
  /** How long one connect attempt may take. @default 5000 */
  connectTimeoutMs?: number;
}

/** obs-websocket's close code for a wrong password. */
const AUTH_FAILED = 4009;

/** OBS's output states (obs-websocket 5) → ours. */
const OUTPUT_STATES: Record<string, ObsStreamStatus> = {
  OBS_WEBSOCKET_OUTPUT_STARTING: "starting",
  OBS_WEBSOCKET_OUTPUT_STARTED: "active",
  OBS_WEBSOCKET_OUTPUT_RECONNECTING: "active",
  OBS_WEBSOCKET_OUTPUT_RECONNECTED: "active",
  OBS_WEBSOCKET_OUTPUT_STOPPING: "stopping",
  OBS_WEBSOCKET_OUTPUT_STOPPED: "inactive",
};

/**
 * One tenant's control link to OBS Studio over obs-websocket v5. Once connected (or asked to
 * keep connecting), a lost link is retried with back-off until {@linkcode disconnect}: OBS may
 * restart at any time. The password is never logged nor put in an error.
 */
export class ObsConnection {
  #options: ObsConnectionOptions;
  #log: Logger;
  #config: ObsConfig | null = null;
  #socket: OBSWebSocket | null = null;
  #status: ObsConnectionStatus = "disconnected";
  #stream: ObsStreamStatus = "unknown";
  #error: string | null = null;
  #versions = { obs: null as string | null, websocket: null as string | null };
  /** True while the link should be kept up (reconnect on loss). */
  #wanted = false;
  #attempt = 0;
  /** The streaming state last reported (`obs://stream_state`). */
  #reported: boolean | null = null;
  #retry: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every connect/disconnect: late callbacks of an older socket are ignored. */
  #generation = 0;

  constructor(options: ObsConnectionOptions) {
    this.#options = options;
    this.#log = options.logger;
  }

  /** Settings used by the next connect (a running link keeps its own until reconnected). */
  configure(config: ObsConfig): void {
    this.#config = config;
  }

  get config(): ObsConfig | null {
    return this.#config;
  }

  get connected(): boolean {
    return this.#status === "connected";
  }

  get streaming(): boolean {
    return this.#stream === "active" || this.#stream === "starting";
  }

  state(): ObsState {
    return {
      connectionStatus: this.#status,
      streamStatus: this.#status === "connected" ? this.#stream : "unknown",
      errorMessage: this.#error,
      obsVersion: this.#versions.obs,
      websocketVersion: this.#versions.websocket,
    };
  }

  /**
   * Connects now; throws `unavailable` naming the address when OBS does not answer or refuses.
   * With `keepTrying`, a failure is retried in the background instead (auto-connect).
   */
  async connect(options: { keepTrying?: boolean } = {}): Promise<void> {
    this.#stopRetry();
    this.#wanted = true;
    this.#attempt = 0;
    try {
      await this.#open();
    } catch (error) {
      const failure = this.#connectError(error);
      this.#setStatus("error", failure.message);
      if (options.keepTrying && !isAuthFailure(error)) this.#scheduleRetry();
      else this.#wanted = false;
      if (!options.keepTrying) throw failure;
    }
  }

  /** Closes the link and stops reconnecting. */
  async disconnect(): Promise<void> {
    this.#wanted = false;
    this.#stopRetry();
    this.#generation++;
    const socket = this.#socket;
    this.#socket = null;
    await socket?.disconnect().catch(() => {});
    this.#stream = "unknown";
    this.#versions = { obs: null, websocket: null };
    if (this.#status !== "disconnected") this.#setStatus("disconnected", null);
  }

  /** Tells OBS to start streaming (to the server in its own settings). */
  async startStream(): Promise<void> {
    await this.#call("StartStream");
  }

  async stopStream(): Promise<void> {
    await this.#call("StopStream");
  }

  async #call(request: "StartStream" | "StopStream"): Promise<void> {
    const socket = this.#socket;
    if (!socket || this.#status !== "connected") {
      throw new AppError("failed_precondition", "Not connected to OBS");
    }
    try {
      await withTimeout(socket.call(request), this.#options.connectTimeoutMs ?? 5000);
    } catch (error) {
      throw new AppError("failed_precondition", `OBS refused ${request}: ${messageOf(error)}`);
    }
  }

  async #open(): Promise<void> {
    const config = this.#config;
    if (!config) throw new AppError("failed_precondition", "OBS is not configured");
    const generation = ++this.#generation;
    await this.#socket?.disconnect().catch(() => {});
    const socket = new OBSWebSocket();
    this.#socket = socket;
    this.#status = "connecting";
    this.#options.events.status({ status: "connecting", host: config.host, port: config.port });
    socket.on("ConnectionClosed", (error) => this.#onClosed(generation, error));
    let streamEventSeen = false;
    socket.on("StreamStateChanged", (event) => {
      if (generation !== this.#generation) return;
      streamEventSeen = true;
      this.#onStreamState(event.outputState, true);
    });
    const password = config.useAuth && config.password !== "" ? config.password : undefined;
    const timeoutMs = this.#options.connectTimeoutMs ?? 5000;
    let version, stream;
    try {
      await withTimeout(
        socket.connect(`ws://${urlHost(config.host)}:${config.port}`, password),
        timeoutMs,
      );
      // An OBS that identified us and then never answers must not hold the link in "connecting".
      [version, stream] = await withTimeout(
        Promise.all([socket.call("GetVersion"), socket.call("GetStreamStatus")]),
        timeoutMs,
      );
    } catch (error) {
      await socket.disconnect().catch(() => {});
      throw error;
    }
    if (generation !== this.#generation) return;
    this.#attempt = 0;
    this.#versions = { obs: version.obsVersion, websocket: version.obsWebSocketVersion };
    this.#status = "connected";
    this.#error = null;
    // A change OBS announced while we asked is newer than the answer.
    if (!streamEventSeen) this.#stream = stream.outputActive ? "active" : "inactive";
    this.#log.info({ host: config.host, port: config.port }, "Connected to OBS");
    this.#options.events.status({
      status: "connected",
      obsVersion: this.#versions.obs,
      websocketVersion: this.#versions.websocket,
      streamStatus: this.#stream,
    });
    if (streamEventSeen) return;
    this.#reported = stream.outputActive;
    this.#options.events.streamState(stream.outputActive, false);
  }

  #onStreamState(outputState: string, observed: boolean): void {
    const next = OUTPUT_STATES[outputState] ?? "unknown";
    this.#stream = next;
    // Starting counts as active (the sync opens our ingest while OBS connects); stopping changes
    // nothing until OBS says it stopped.
    const active = next === "active" || next === "starting"
      ? true
      : next === "inactive"
      ? false
      : null;
    if (active === null || active === this.#reported) return;
    this.#reported = active;
    this.#options.events.streamState(active, observed);
  }

  #onClosed(generation: number, error: { code: number; message: string }): void {
    if (generation !== this.#generation) return;
    const wasConnected = this.#status === "connected";
    this.#socket = null;
    this.#stream = "unknown";
    if (!this.#wanted) return;
    if (wasConnected) {
      this.#log.warn({ code: error.code }, "Lost the connection to OBS; reconnecting");
      this.#setStatus("error", `Lost the connection to OBS: ${describeClose(error)}`);
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (!this.#wanted || this.#retry !== undefined) return;
    const { first, max } = this.#options.retryDelaysMs ?? { first: 500, max: 10_000 };
    const delay = Math.min(max, first * 2 ** this.#attempt);
    this.#attempt++;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      void this.#open().catch((error) => this.#retryFailed(error));
    }, delay);
  }

  #retryFailed(error: unknown): void {
    if (!this.#wanted) return;
    this.#setStatus("error", this.#connectError(error).message);
    if (isAuthFailure(error)) {
      this.#wanted = false; // a wrong password does not get better by retrying
      return;
    }
    this.#scheduleRetry();
  }

  #stopRetry(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #setStatus(status: "error" | "disconnected", error: string | null): void {
    this.#status = status;
    this.#error = error;
    this.#options.events.status(
      status === "error" ? { status, error: error ?? "OBS error" } : { status },
    );
  }

  #connectError(error: unknown): AppError {
    const config = this.#config;
    const where = config ? `${config.host}:${config.port}` : "OBS";
    const why = isAuthFailure(error)
      ? "OBS refused the password (check Tools → WebSocket Server Settings)"
      : messageOf(error);
    return new AppError("failed_precondition", `Failed to connect to OBS at ${where}: ${why}`);
  }
}

function isAuthFailure(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error &&
    (error as { code: unknown }).code === AUTH_FAILED;
}

function describeClose(error: { code: number; message: string }): string {
  return error.message ? `${error.message} (code ${error.code})` : `code ${error.code}`;
}

function messageOf(error: unknown): string {
  if (error instanceof Error && error.message) return error.message;
  if (typeof error === "object" && error !== null && "code" in error) {
    return `closed with code ${(error as { code: unknown }).code}`;
  }
  return "no answer";
}

/** An IPv6 literal needs brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
