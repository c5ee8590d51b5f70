import assert from "node:assert/strict";
import { ByteArena } from "./byte_arena.ts";

Deno.test("ByteArena.copy() copies bytes; reset() reuses the same memory instead of allocating", () => {
  const arena = new ByteArena({ chunkBytes: 16 });
  const a = arena.copy(Uint8Array.of(1, 2, 3));
  const b = arena.copy(Uint8Array.of(4, 5));
  assert.deepEqual([...a, ...b], [1, 2, 3, 4, 5]);
  assert.equal(a.buffer, b.buffer, "small copies share a chunk");
  assert.equal(arena.capacity, 16);
  arena.reset();
  const c = arena.copy(Uint8Array.of(9, 9, 9));
  assert.equal(c.buffer, a.buffer, "the chunk is reused after reset()");
  assert.deepEqual(
    [...a],
    [9, 9, 9],
    "copies from before reset() are overwritten: holders must copy",
  );
  assert.equal(arena.capacity, 16);
});

Deno.test("ByteArena.copy() moves to a new chunk when one is full and sizes one for a large copy", () => {
  const arena = new ByteArena({ chunkBytes: 8 });
  arena.copy(new Uint8Array(6));
  const next = arena.copy(Uint8Array.of(7, 7, 7));
  const big = arena.copy(new Uint8Array(20).fill(5));
  assert.equal(big.length, 20);
  assert.ok(big.every((v) => v === 5));
  assert.notEqual(next.buffer, big.buffer);
  assert.equal(arena.capacity, 8 + 8 + 20);
  arena.reset();
  arena.copy(new Uint8Array(6));
  arena.copy(new Uint8Array(6));
  arena.copy(new Uint8Array(20));
  assert.equal(arena.capacity, 36, "a second cycle of the same shape allocates nothing");
  arena.release();
  assert.equal(arena.capacity, 0);
});
