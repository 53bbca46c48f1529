import { MagicError } from '@magic/core';

// The base of every typed error in MAGIC lives in @magic/core; re-exported so `@magic/tensor`'s name still works.
export { MagicError };

/** An explicitly requested backend could not start. */
export class BackendInitError extends MagicError {
  readonly device: string;
  readonly reason: string;

  constructor(device: string, reason: string, options?: { cause?: unknown }) {
    super('BACKEND_INIT', `backend '${device}' could not start: ${reason}`, options);
    this.device = device;
    this.reason = reason;
  }

  static override isInstance(e: unknown): e is BackendInitError {
    return MagicError.isInstance(e) && e.code === 'BACKEND_INIT';
  }
}

/** A WebGPU validation, out-of-memory or internal error that Dawn reported instead of throwing. */
export class WebGpuError extends MagicError {
  /** 'validation' | 'out-of-memory' | 'internal' | 'device-lost' | 'unknown' */
  readonly kind: string;
  /** How many further errors arrived after this one before it was raised. */
  readonly suppressed: number;

  constructor(kind: string, message: string, suppressed = 0) {
    super('WEBGPU_ERROR', `WebGPU ${kind} error: ${message}${suppressed > 0 ? ` (+${suppressed} more)` : ''}`);
    this.kind = kind;
    this.suppressed = suppressed;
  }

  static override isInstance(e: unknown): e is WebGpuError {
    return MagicError.isInstance(e) && e.code === 'WEBGPU_ERROR';
  }
}

/** A safetensors file is malformed or hostile. `field` names the header field or tensor involved. */
export class SafetensorsError extends MagicError {
  readonly file: string;
  readonly field: string;

  constructor(file: string, field: string, detail: string) {
    super('SAFETENSORS', `${file}: ${field}: ${detail}`);
    this.file = file;
    this.field = field;
  }

  static override isInstance(e: unknown): e is SafetensorsError {
    return MagicError.isInstance(e) && e.code === 'SAFETENSORS';
  }
}

/**
 * The wasm backend's heap (wasm32: at most 4 GiB) could not hold an allocation. tfjs-backend-wasm does not check
 * malloc's result, so without this the write lands at address 0 and a later call traps ('table index is out of
 * bounds'). Smaller micro-batches or shorter sequences fit.
 */
export class WasmOutOfMemoryError extends MagicError {
  readonly bytes: number;
  readonly heapBytes: number;

  constructor(bytes: number, heapBytes: number) {
    super(
      'WASM_OUT_OF_MEMORY',
      `wasm heap cannot allocate ${(bytes / 2 ** 20).toFixed(1)} MiB (heap ${(heapBytes / 2 ** 20).toFixed(0)} MiB of at most 4096): use smaller micro-batches or shorter sequences`,
    );
    this.bytes = bytes;
    this.heapBytes = heapBytes;
  }

  static override isInstance(e: unknown): e is WasmOutOfMemoryError {
    return MagicError.isInstance(e) && e.code === 'WASM_OUT_OF_MEMORY';
  }
}
