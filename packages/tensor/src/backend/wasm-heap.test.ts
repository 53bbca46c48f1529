import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { WasmOutOfMemoryError } from '../errors.js';
import { initBackend } from './init-backend.js';
import { guardWasmHeap } from './wasm-heap.js';

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
});

/** A stand-in emscripten module whose malloc fails past `capacity` bytes (a real failure needs a 4 GiB heap). */
function fakeModule(capacity: number) {
  let used = 0;
  return {
    HEAPU8: new Uint8Array(64),
    calls: 0,
    _malloc(bytes: number): number {
      this.calls++;
      if (used + bytes > capacity) return 0;
      used += bytes;
      return 8 + used - bytes;
    },
  };
}

describe('wasm heap guard', () => {
  it('turns a failed malloc into WasmOutOfMemoryError and passes others through', () => {
    const wasm = fakeModule(100);
    guardWasmHeap({ wasm });
    expect(wasm._malloc(60)).toBe(8);
    let error: unknown;
    try {
      wasm._malloc(60);
    } catch (e) {
      error = e;
    }
    expect(WasmOutOfMemoryError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'WASM_OUT_OF_MEMORY', bytes: 60, heapBytes: 64 });
    expect(wasm._malloc(0)).toBe(68); // a zero-byte request is not a failure
  });

  it('refuses a byte count past a wasm32 size_t before it could wrap around, and guards once', () => {
    const wasm = fakeModule(Number.POSITIVE_INFINITY);
    guardWasmHeap({ wasm });
    guardWasmHeap({ wasm });
    expect(() => wasm._malloc(2 ** 32)).toThrow(/wasm heap cannot allocate 4096.0 MiB/);
    expect(wasm.calls).toBe(0);
    wasm._malloc(4);
    expect(wasm.calls).toBe(1); // one wrapper, not two
  });

  it('the running wasm backend allocates through the guard', async () => {
    const backend = tf.backend() as unknown as { wasm: { _malloc(n: number): number } };
    const malloc = backend.wasm._malloc;
    let seen = 0;
    const spy = (n: number) => {
      seen += n;
      return malloc(n);
    };
    expect((backend.wasm as Record<symbol, unknown>)[Symbol.for('magic.wasmHeapGuarded')]).toBe(true);
    // tfjs allocates a tensor through the module's `_malloc` property, which the guard replaced
    backend.wasm._malloc = spy;
    const t = tf.fill([1000], 2);
    backend.wasm._malloc = malloc;
    expect(seen).toBe(4000);
    const sum = tf.sum(t);
    expect((await sum.data())[0]).toBe(2000);
    tf.dispose([t, sum]);
  });
});
