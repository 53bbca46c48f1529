import { WebGpuError } from '../errors.js';

/** The parts of a GPUDevice used for error capture. */
export interface ErrorSourceDevice {
  addEventListener(
    type: 'uncapturederror',
    listener: (ev: { error: { message: string }; preventDefault?(): void }) => void,
  ): void;
  lost: Promise<{ reason: string; message: string }>;
  queue: { onSubmittedWorkDone(): Promise<void> };
}

type Hook = (e: WebGpuError) => void;

interface CaptureState {
  pending: WebGpuError | undefined;
  /** Set once an error was raised from a read-back: the tfjs webgpu backend's state is no longer trusted. */
  poisoned: WebGpuError | undefined;
  suppressed: number;
  total: number;
  hooks: Set<Hook>;
}

const STATE_KEY = Symbol.for('magic.webgpuErrorState');

function state(): CaptureState {
  const g = globalThis as Record<symbol, CaptureState | undefined>;
  g[STATE_KEY] ??= { pending: undefined, poisoned: undefined, suppressed: 0, total: 0, hooks: new Set() };
  return g[STATE_KEY];
}

function kindOf(error: object): string {
  const name = error.constructor?.name ?? '';
  if (name === 'GPUValidationError') return 'validation';
  if (name === 'GPUOutOfMemoryError') return 'out-of-memory';
  if (name === 'GPUInternalError') return 'internal';
  return 'unknown';
}

/** Records a WebGPU error; the first one since the last check is kept, later ones are counted. */
export function recordWebGpuError(kind: string, message: string): void {
  const s = state();
  s.total++;
  if (s.pending) {
    s.suppressed++;
    return;
  }
  const err = new WebGpuError(kind, message.split('\n')[0] ?? message);
  s.pending = err;
  for (const hook of s.hooks) hook(err);
}

/** Throws the first WebGPU error reported since the last check (and clears it). */
export function checkWebGpuErrors(): void {
  const s = state();
  const first = s.pending;
  if (!first) return;
  const suppressed = s.suppressed;
  s.pending = undefined;
  s.suppressed = 0;
  throw suppressed > 0
    ? new WebGpuError(first.kind, first.message.replace(/^WebGPU \S+ error: /, ''), suppressed)
    : first;
}

/** Total WebGPU errors seen in this process (for logs and tests). */
export function webGpuErrorCount(): number {
  return state().total;
}

/** Calls `hook` on the first error of each batch (e.g. to abort a training step). Returns an unsubscribe. */
export function onWebGpuError(hook: Hook): () => void {
  state().hooks.add(hook);
  return () => state().hooks.delete(hook);
}

/** Routes a device's uncaptured errors and loss into the pending-error state (Dawn would only log them). */
export function captureDeviceErrors(device: ErrorSourceDevice): void {
  const s = state();
  s.pending = undefined;
  s.poisoned = undefined;
  s.suppressed = 0;
  device.addEventListener('uncapturederror', (ev) => {
    ev.preventDefault?.();
    recordWebGpuError(kindOf(ev.error), ev.error.message);
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') recordWebGpuError('device-lost', info.message || info.reason);
  });
}

/** Waits until submitted GPU work is done and error events had a chance to arrive. */
export async function settleWebGpu(device: ErrorSourceDevice): Promise<void> {
  await device.queue.onSubmittedWorkDone();
  await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Makes every read-back of the backend (`await tensor.data()`, `array()`) throw WebGpuError if any WebGPU error
 * happened before it, so a computation on invalid buffers never returns a "result". After that the backend is
 * poisoned (tfjs may have pooled invalid buffers): every later read throws until releaseWebGpu() + initBackend().
 */
export function guardBackendReads(
  backend: { read(dataId: object): Promise<unknown> },
  device: ErrorSourceDevice,
): void {
  const read = backend.read.bind(backend);
  backend.read = (dataId: object) => guardedRead(device, () => read(dataId));
}

/**
 * Runs a read-back of WebGPU results (`read` resolves once the data is on the host) under the same guard as
 * tensor reads: throws WebGpuError if any WebGPU error happened before it or while it ran, and poisons the backend.
 */
export async function guardedRead<T>(device: ErrorSourceDevice, read: () => Promise<T>): Promise<T> {
  const raise = (e: unknown) => {
    if (WebGpuError.isInstance(e)) state().poisoned ??= e;
    throw e;
  };
  const poisoned = state().poisoned;
  if (poisoned) {
    throw new WebGpuError(
      poisoned.kind,
      `backend unusable after an earlier error (${poisoned.message}); call releaseWebGpu() and initBackend() again`,
    );
  }
  try {
    checkWebGpuErrors();
  } catch (e) {
    raise(e);
  }
  const values = await read();
  await settleWebGpu(device);
  if (state().pending) {
    // collect the errors that follow from the first (invalid bind groups, command buffers, ...) into this one
    await settleWebGpu(device);
    await settleWebGpu(device);
  }
  try {
    checkWebGpuErrors();
  } catch (e) {
    raise(e);
  }
  return values;
}
