import type { FlvTag } from "../flv/mod.ts";
import type { MediaSource } from "../hub/mod.ts";
import { FlvReader } from "../flv/mod.ts";

/** An FFmpeg's FLV stdout as a hub source, counting the bytes it produced. */
export interface FlvSource extends MediaSource {
  /** Bytes read from the stream. */
  readonly bytes: number;
  /** Media tags (audio/video) read. */
  readonly mediaTags: number;
}

/**
 * Reads `readable` as FLV at once and hands every tag to the listeners; `onFirstTag` runs
 * before the first tag is delivered (e.g. to attach the source to a hub only once media flows).
 * `closed` resolves at the end of the stream, or with the parse error.
 */
export function flvSource(
  readable: ReadableStream<Uint8Array>,
  options: { onFirstTag?: (source: FlvSource) => void } = {},
): FlvSource {
  const listeners = new Set<(tag: FlvTag) => void>();
  let bytes = 0;
  let mediaTags = 0;
  const counted = readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        bytes += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  let resolveClosed!: (value: unknown) => void;
  const closed = new Promise<unknown>((resolve) => (resolveClosed = resolve));
  const source: FlvSource = {
    onTag(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    closed,
    get bytes() {
      return bytes;
    },
    get mediaTags() {
      return mediaTags;
    },
  };
  void (async () => {
    let first = true;
    try {
      for await (const tag of new FlvReader(counted)) {
        if (first) {
          first = false;
          options.onFirstTag?.(source);
        }
        if (tag.type !== "data") mediaTags++;
        for (const listener of listeners) listener(tag);
      }
      resolveClosed(null);
    } catch (error) {
      resolveClosed(error);
    } finally {
      listeners.clear();
    }
  })();
  return source;
}
