/**
 * A minimal Chrome DevTools Protocol client for a `deno --inspect=<host:port>` process: enough
 * to start and stop V8's sampling CPU profiler and read heap usage over a chosen window, without
 * stopping the process (a `--cpu-prof` file only appears at exit and covers the whole run).
 * @module
 */

/** One node of a V8 CPU profile (`Profiler.stop`). */
export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** The profile `Profiler.stop` returns. */
export interface CpuProfile {
  nodes: ProfileNode[];
  /** Node id per sample. */
  samples: number[];
  /** Microseconds since the previous sample, per sample. */
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One node of a sampling heap profile (`HeapProfiler.stopSampling`). */
export interface AllocationNode {
  callFrame: ProfileNode["callFrame"];
  /** Bytes sampled as allocated by this frame itself. */
  selfSize: number;
  children: AllocationNode[];
}

/** The profile `HeapProfiler.stopSampling` returns. */
export interface AllocationProfile {
  head: AllocationNode;
}

/** A connected DevTools session. */
export class InspectorSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => this.#onMessage(String(event.data));
    socket.onclose = () => this.#failAll(new Error("The inspector connection closed"));
  }

  /** Connects to the first target of the inspector on 127.0.0.1:`port` (retries up to `timeoutMs`). */
  static async connect(port: number, timeoutMs = 20_000): Promise<InspectorSession> {
    const deadline = Date.now() + timeoutMs;
    let url: string | null = null;
    while (url === null) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/json/list`);
        const targets = await response.json() as { webSocketDebuggerUrl?: string }[];
        url = targets[0]?.webSocketDebuggerUrl ?? null;
      } catch {
        // not listening yet
      }
      if (url === null) {
        if (Date.now() > deadline) throw new Error(`No inspector on port ${port}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.onopen = () => resolve();
      socket.onerror = () => reject(new Error(`Could not connect to ${url}`));
    });
    return new InspectorSession(socket);
  }

  /** Sends one command and resolves with its result. */
  send<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Samples the main thread every `intervalUs` for `ms`; returns the profile. */
  async profile(ms: number, intervalUs = 1000): Promise<CpuProfile> {
    await this.send("Profiler.enable");
    await this.send("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.send("Profiler.start");
    await new Promise((resolve) => setTimeout(resolve, ms));
    const { profile } = await this.send<{ profile: CpuProfile }>("Profiler.stop");
    await this.send("Profiler.disable");
    return profile;
  }

  /**
   * Samples allocations (one sample per `intervalBytes` allocated on average) over `ms`; returns
   * V8's sampling heap profile. Objects collected meanwhile are included, so this shows what
   * feeds the young-generation GCs.
   */
  async allocations(ms: number, intervalBytes = 16 * 1024): Promise<AllocationProfile> {
    await this.send("HeapProfiler.enable");
    await this.send("HeapProfiler.startSampling", {
      samplingInterval: intervalBytes,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
    await new Promise((resolve) => setTimeout(resolve, ms));
    const { profile } = await this.send<{ profile: AllocationProfile }>(
      "HeapProfiler.stopSampling",
    );
    await this.send("HeapProfiler.disable");
    return profile;
  }

  /** V8 heap in use and allocated, in bytes. */
  heapUsage(): Promise<{ usedSize: number; totalSize: number }> {
    return this.send("Runtime.getHeapUsage");
  }

  close(): void {
    try {
      this.#socket.close();
    } catch {
      // already closed
    }
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    if (message.id === undefined) return; // an event
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    if (message.error) pending.reject(new Error(message.error.message));
    else pending.resolve(message.result);
  }

  #failAll(error: Error): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
