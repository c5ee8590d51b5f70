import { monotonicNow } from "@spiritstream/kit";
import type { FlvTag } from "../flv/flv.ts";

/** A live publisher on the ingest (OBS, FFmpeg) as handed to `onPublish`. */
export interface PublishSession {
  readonly id: string;
  /** The RTMP application the publisher connected to. */
  readonly app: string;
  readonly remoteAddr: { hostname: string; port: number };
  /** Epoch milliseconds of NetStream.Publish.Start. */
  readonly startedAt: number;
  /** The latest `onMetaData` (from `@setDataFrame`), ECMA arrays as plain objects. */
  readonly metadata: Record<string, unknown> | null;
  /** Media payload bytes received. */
  readonly bytesIn: number;
  /** Whether the publisher is still publishing. */
  readonly isLive: boolean;
  /** Calls `listener` synchronously for every tag; returns the unsubscribe function. */
  onTag(listener: (tag: FlvTag) => void): () => void;
  /** The tags from now on as an async stream (buffered without bound: consume promptly). */
  tags(): AsyncIterableIterator<FlvTag>;
  /** Resolves when publishing ends (unpublish, disconnect or close()). */
  readonly closed: Promise<void>;
  /** Disconnects the publisher. */
  close(): void;
}

/** What the RTMP server needs to drive a session it created. */
export interface PublishSessionControl {
  session: PublishSession;
  emit(tag: FlvTag): void;
  setMetadata(metadata: Record<string, unknown>): void;
  /** Marks the session ended: listeners are dropped, `tags()` streams finish, `closed` resolves. */
  end(): void;
}

/** Creates a session object plus the hooks the server uses to feed and end it. */
export function createPublishSession(init: {
  id: string;
  app: string;
  remoteAddr: { hostname: string; port: number };
  disconnect(): void;
}): PublishSessionControl {
  const listeners = new Set<(tag: FlvTag) => void>();
  const enders = new Set<() => void>();
  let metadata: Record<string, unknown> | null = null;
  let bytesIn = 0;
  let live = true;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  const session: PublishSession = {
    id: init.id,
    app: init.app,
    remoteAddr: init.remoteAddr,
    startedAt: monotonicNow(),
    get metadata() {
      return metadata;
    },
    get bytesIn() {
      return bytesIn;
    },
    get isLive() {
      return live;
    },
    onTag(listener) {
      if (!live) return () => {};
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    tags() {
      return tagStream(session, enders);
    },
    closed,
    close() {
      init.disconnect();
    },
  };

  return {
    session,
    emit(tag) {
      if (!live) return;
      bytesIn += tag.payload.length;
      for (const listener of listeners) listener(tag);
    },
    setMetadata(value) {
      metadata = value;
    },
    end() {
      if (!live) return;
      live = false;
      listeners.clear();
      for (const end of enders) end();
      enders.clear();
      resolveClosed();
    },
  };
}

function tagStream(
  session: PublishSession,
  enders: Set<() => void>,
): AsyncIterableIterator<FlvTag> {
  const queue: FlvTag[] = [];
  let wake: (() => void) | null = null;
  let done = !session.isLive;
  const finish = (): void => {
    done = true;
    wake?.();
  };
  const unsubscribe = session.onTag((tag) => {
    queue.push(tag);
    wake?.();
  });
  enders.add(finish);
  const iterator: AsyncIterableIterator<FlvTag> = {
    async next() {
      while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
      wake = null;
      const tag = queue.shift();
      return tag ? { value: tag, done: false } : { value: undefined, done: true };
    },
    return() {
      unsubscribe();
      enders.delete(finish);
      done = true;
      queue.length = 0;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
