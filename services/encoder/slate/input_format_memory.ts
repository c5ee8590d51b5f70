import type { IngestMedia } from "@spiritstream/contracts";
import type { FlvTag } from "../flv/mod.ts";
import { IngestAnalyzer } from "../hub/ingest_analyzer.ts";
import type { MediaSink } from "../hub/hub.ts";

/**
 * A hub sink that remembers the format of the last real publisher after it left (the
 * {@linkcode IngestAnalyzer} forgets it), and ignores what arrives while `paused` (the slate).
 */
export class InputFormatMemory implements MediaSink {
  readonly queuedBytes = 0;
  #analyzer = new IngestAnalyzer();
  #last: IngestMedia | null = null;
  /** Set while the slate is the hub's source. */
  paused = false;

  write(tag: FlvTag): void {
    if (!this.paused) this.#analyzer.write(tag);
  }

  sourceEnded(): void {
    if (this.paused) return;
    this.#last = this.#analyzer.media() ?? this.#last;
    this.#analyzer.sourceEnded();
  }

  /** The format arriving now, or the last one that arrived. */
  media(): IngestMedia | null {
    return this.#analyzer.media() ?? this.#last;
  }
}
