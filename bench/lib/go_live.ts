import type { OutputGroup, StreamState } from "@spiritstream/contracts";
import { freePort, startPublisher, type TestPublisher } from "@spiritstream/testing";
import type { InvokeOptions, InvokeReply } from "./invoke.ts";

/** What {@linkcode goLive} needs from a host: the desktop host or the NATS stack. */
export interface CommandSurface {
  invoke(command: string, body?: unknown, options?: InvokeOptions): Promise<InvokeReply>;
  call<T = unknown>(command: string, body?: unknown): Promise<T>;
}

/** Options for {@linkcode goLive}. */
export interface GoLiveOptions {
  /** The clip the publisher loops (stream copy, real time). */
  clip: string;
  groups: OutputGroup[];
  /** Ingest stream key OBS must use (checked by our RTMP server). */
  ingestKey?: string;
  /** Open the ingest and connect the publisher, but do not start the groups. @default false */
  ingestOnly?: boolean;
  /** More of the profile's input (e.g. `standby`). */
  input?: Record<string, unknown>;
}

/** A publisher connected to our ingest and (unless ingestOnly) the groups started. */
export interface LiveStream {
  readonly incomingUrl: string;
  /** What the publisher pushes to (with the ingest key). */
  readonly publishUrl: string;
  readonly publisher: TestPublisher;
  /** Starts the groups (`start_all_streams`); returns the reply. */
  start(groups?: OutputGroup[]): Promise<InvokeReply>;
  /** Starts or updates one group (`start_stream`: a running group changes in place). */
  startGroup(group: OutputGroup): Promise<InvokeReply>;
  /** Stops the groups and the ingest, then the publisher. */
  stop(): Promise<void>;
}

/**
 * Drives a go-live through the HTTP surface: `open_ingest`, an FFmpeg publisher (like OBS)
 * connects, the ingest reports live, then `start_all_streams`.
 */
export async function goLive(host: CommandSurface, options: GoLiveOptions): Promise<LiveStream> {
  const incomingUrl = `rtmp://127.0.0.1:${freePort()}/live`;
  const input = options.ingestKey || options.input
    ? { ...options.input, ...(options.ingestKey ? { streamKey: options.ingestKey } : {}) }
    : undefined;
  await host.call("open_ingest", { incomingUrl, ...(input ? { input } : {}) });
  const publishUrl = `${incomingUrl}/${options.ingestKey ?? "obs"}`;
  const publisher = await startPublisher(publishUrl, { clip: options.clip });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const state = await host.call<StreamState>("get_stream_state");
    if (state.ingest.state === "live") break;
    if (Date.now() > deadline) {
      await publisher.stop();
      throw new Error(`The ingest did not see the publisher: ${publisher.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stream: LiveStream = {
    incomingUrl,
    publishUrl,
    publisher,
    start: (groups = options.groups) =>
      host.invoke("start_all_streams", {
        groups,
        incomingUrl,
        ...(input ? { input } : {}),
      }),
    startGroup: (group) =>
      host.invoke("start_stream", { group, incomingUrl, ...(input ? { input } : {}) }),
    async stop() {
      await host.invoke("stop_all_streams", {}).catch(() => {});
      await publisher.stop();
    },
  };
  if (!options.ingestOnly) {
    const reply = await stream.start();
    if (reply.status !== 200) {
      await stream.stop();
      throw new Error(`start_all_streams answered ${reply.status}: ${reply.body.error}`);
    }
  }
  return stream;
}
