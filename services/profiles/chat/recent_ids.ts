/** Remembers the last `capacity` ids seen, to drop a message seen before (§1.3.9: 5,000). */
export class RecentIds {
  #capacity: number;
  #ids = new Set<string>();

  constructor(capacity = 5000) {
    this.#capacity = capacity;
  }

  /** True the first time `id` is seen (within the window); false for a repeat. */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    // A Set iterates in insertion order: the first one is the oldest.
    if (this.#ids.size > this.#capacity) this.#ids.delete(this.#ids.values().next().value!);
    return true;
  }

  get size(): number {
    return this.#ids.size;
  }
}
