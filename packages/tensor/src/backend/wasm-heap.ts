import * as tf from '@tensorflow/tfjs-core';
import { WasmOutOfMemoryError } from '../errors.js';

/** The emscripten module of a tfjs-backend-wasm BackendWasm (only what the guard touches). */
interface WasmModuleLike {
  _malloc(bytes: number): number;
  HEAPU8: Uint8Array;
}

const GUARDED = Symbol.for('magic.wasmHeapGuarded');

/** Largest byte count a wasm32 malloc can take (its size_t is 32 bits: larger counts would wrap). */
const MAX_ALLOCATION = 2 ** 32 - 1;

/**
 * Makes the tensor allocations of a wasm backend throw WasmOutOfMemoryError when the heap cannot hold them, instead
 * of tfjs-backend-wasm writing through a null pointer (idempotent per backend).
 */
export function guardWasmHeap(backend: unknown): void {
  const wasm = (backend as { wasm?: WasmModuleLike & { [GUARDED]?: true } }).wasm;
  if (!wasm || wasm[GUARDED]) return;
  const malloc = wasm._malloc.bind(wasm);
  wasm._malloc = (bytes: number): number => {
    if (bytes > MAX_ALLOCATION) throw new WasmOutOfMemoryError(bytes, wasm.HEAPU8.length);
    const at = malloc(bytes);
    if (at === 0 && bytes > 0) throw new WasmOutOfMemoryError(bytes, wasm.HEAPU8.length);
    return at;
  };
  wasm[GUARDED] = true;
}

/**
 * Guards the wasm backend's heap (guardWasmHeap) on the instance tfjs creates: the registered factory is wrapped,
 * and an instance already made is guarded now.
 */
export function guardWasmBackendHeap(): void {
  const made = tf.engine().registry.wasm;
  if (made) {
    guardWasmHeap(made);
    return;
  }
  const factory = tf.findBackendFactory('wasm');
  if (!factory || (factory as { [GUARDED]?: true })[GUARDED]) return;
  const guarded = Object.assign(
    async () => {
      const backend = await factory();
      guardWasmHeap(backend);
      return backend;
    },
    { [GUARDED]: true as const },
  );
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', guarded, WASM_PRIORITY);
}

/** tfjs-backend-wasm's registration priority. */
const WASM_PRIORITY = 2;
