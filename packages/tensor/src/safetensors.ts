import { defined } from '@magic/core';
import { z } from 'zod';
import { SafetensorsError } from './errors.js';
import { typedAt } from './typed-at.js';

/** Dtypes this reader accepts; every one is decoded to Float32Array. */
export const SAFETENSORS_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];
/** Dtypes the writer can store. */
export type SafetensorsSaveDtype = 'F32' | 'BF16';

/** Largest JSON header accepted (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface SafetensorsTensor {
  /** dtype as stored in the file; `data` is always float32. */
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

export interface TensorToSave {
  shape: number[];
  data: Float32Array;
}

export interface WriteSafetensorsOptions {
  /** Storage dtype for every tensor (default F32). BF16 rounds to nearest even. */
  dtype?: SafetensorsSaveDtype;
  metadata?: Record<string, string>;
}

/** One validated header entry: where a tensor's bytes lie, relative to the start of the data section. */
export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** Byte length of the 8-byte prefix plus the JSON header: where the data section starts. */
  dataStart: number;
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
}

const entrySchema = z.object({
  dtype: z.string(),
  shape: z.array(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)),
  data_offsets: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
});
const metadataSchema = z.record(z.string(), z.string());

/** Reads the 8-byte little-endian header length and checks it against the limits and the file size. */
export function readHeaderLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (prefix.byteLength < 8 || fileSize < 8) {
    throw new SafetensorsError(file, 'header length', `file is ${fileSize} bytes, shorter than the 8-byte prefix`);
  }
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(file, 'header length', `${n} bytes exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const len = Number(n);
  if (8 + len > fileSize) {
    throw new SafetensorsError(file, 'header length', `${len} bytes runs past the end of the ${fileSize}-byte file`);
  }
  return len;
}

function isDtype(d: string): d is SafetensorsDtype {
  return (SAFETENSORS_DTYPES as readonly string[]).includes(d);
}

function numelOf(shape: number[], file: string, name: string): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) throw new SafetensorsError(file, name, `shape [${shape}] has too many elements`);
  }
  return n;
}

function parseEntry(name: string, raw: unknown, file: string): SafetensorsEntry {
  const parsed = entrySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'entry'}: ${issue.message}` : 'invalid entry';
    throw new SafetensorsError(file, name, `malformed header entry (${where})`);
  }
  const { dtype, shape, data_offsets } = parsed.data;
  if (!isDtype(dtype)) {
    throw new SafetensorsError(file, name, `unsupported dtype '${dtype}' (accepted: ${SAFETENSORS_DTYPES.join(', ')})`);
  }
  const [begin, end] = data_offsets;
  if (end < begin) throw new SafetensorsError(file, name, `data_offsets [${begin}, ${end}] end before they begin`);
  const expected = numelOf(shape, file, name) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw new SafetensorsError(
      file,
      name,
      `holds ${end - begin} bytes but ${dtype}[${shape}] needs ${expected} (data_offsets [${begin}, ${end}])`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** Entries must be sorted by offset, contiguous, non-overlapping and cover the data section exactly. */
function checkLayout(entries: SafetensorsEntry[], dataBytes: number, file: string): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of sorted) {
    if (e.end > dataBytes) {
      throw new SafetensorsError(
        file,
        e.name,
        `data_offsets [${e.begin}, ${e.end}] out of range (data section is ${dataBytes} bytes)`,
      );
    }
    if (e.begin < cursor) {
      throw new SafetensorsError(file, e.name, `data_offsets [${e.begin}, ${e.end}] overlap the previous tensor`);
    }
    if (e.begin > cursor) {
      throw new SafetensorsError(file, e.name, `gap before data_offsets [${e.begin}, ${e.end}] (expected ${cursor})`);
    }
    cursor = e.end;
  }
  if (cursor !== dataBytes) {
    throw new SafetensorsError(file, 'data', `tensors cover ${cursor} bytes but the data section is ${dataBytes}`);
  }
}

/** Parses and validates the JSON header. `fileSize` is the whole file's length. */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (e) {
    throw new SafetensorsError(file, 'header', `not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SafetensorsError(file, 'header', 'is not a JSON object');
  }
  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, raw] of Object.entries(json)) {
    if (name === '__metadata__') {
      const m = metadataSchema.safeParse(raw);
      if (!m.success) throw new SafetensorsError(file, '__metadata__', 'must be a map of string to string');
      metadata = m.data;
      continue;
    }
    entries.push(parseEntry(name, raw, file));
  }
  const dataStart = 8 + headerBytes.byteLength;
  checkLayout(entries, fileSize - dataStart, file);
  return { dataStart, entries, metadata };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes one tensor's raw little-endian bytes (exactly `numel * dtypeSize` long) to float32. */
export function decodeTensorBytes(dtype: SafetensorsDtype, raw: Uint8Array): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (dtype === 'F32') {
    if (LITTLE_ENDIAN) return new Float32Array(raw.slice().buffer);
    const out = new Float32Array(raw.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
    return out;
  }
  const out = new Float32Array(raw.byteLength / 2);
  if (dtype === 'BF16') {
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
    return out;
  }
  for (let i = 0; i < out.length; i++) out[i] = f16ToF32(view.getUint16(i * 2, true));
  return out;
}

/** Parses a whole safetensors file held in memory. Malformed input throws SafetensorsError, never reads out of bounds. */
export function readSafetensors(bytes: Uint8Array, opts: { file?: string } = {}): SafetensorsFile {
  const file = opts.file ?? '<memory>';
  const headerLen = readHeaderLength(bytes.subarray(0, 8), bytes.byteLength, file);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + headerLen), bytes.byteLength, file);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of header.entries) {
    const raw = bytes.subarray(header.dataStart + e.begin, header.dataStart + e.end);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decodeTensorBytes(e.dtype, raw) });
  }
  return { tensors, metadata: header.metadata };
}

function roundToBf16(bits: number): number {
  // NaN (exponent all ones, mantissa nonzero) keeps one canonical quiet NaN
  if ((bits & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Encodes float32 values as little-endian F32 or BF16 (round to nearest even) bytes. */
export function encodeTensorBytes(data: Float32Array, dtype: SafetensorsSaveDtype): Uint8Array {
  const size = dtype === 'F32' ? 4 : 2;
  const out = new Uint8Array(data.length * size);
  const view = new DataView(out.buffer);
  if (dtype === 'F32') {
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, typedAt(data, i, 'tensor data'), true);
    return out;
  }
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < bits.length; i++) view.setUint16(i * 2, roundToBf16(typedAt(bits, i, 'tensor bits')), true);
  return out;
}

export interface PlannedTensor {
  name: string;
  data: Float32Array;
  begin: number;
  end: number;
}

/** Validates tensors to save and lays them out: returns the padded header bytes and each tensor's offsets. */
export function planSafetensors(
  tensors: Record<string, TensorToSave>,
  opts: WriteSafetensorsOptions = {},
  file = '<memory>',
): { header: Uint8Array; plan: PlannedTensor[]; dtype: SafetensorsSaveDtype; dataBytes: number } {
  const dtype = opts.dtype ?? 'F32';
  // untyped callers (scripts, JSON configs) could pass 'bf16': the file would name a dtype no reader knows
  if (dtype !== 'F32' && dtype !== 'BF16')
    throw new SafetensorsError(file, 'dtype', `cannot save dtype '${String(dtype)}' (F32 or BF16)`);
  const size = dtype === 'F32' ? 4 : 2;
  const json: Record<string, unknown> = {};
  if (opts.metadata) json.__metadata__ = metadataSchema.parse(opts.metadata);
  const plan: PlannedTensor[] = [];
  let offset = 0;
  for (const name of Object.keys(tensors).sort()) {
    const t = defined(tensors[name], `tensor ${name}`);
    if (name === '__metadata__' || name.length === 0) throw new SafetensorsError(file, name, 'reserved tensor name');
    const numel = numelOf(t.shape, file, name);
    if (numel !== t.data.length) {
      throw new SafetensorsError(file, name, `shape [${t.shape}] needs ${numel} values, got ${t.data.length}`);
    }
    const end = offset + numel * size;
    json[name] = { dtype, shape: t.shape, data_offsets: [offset, end] };
    plan.push({ name, data: t.data, begin: offset, end });
    offset = end;
  }
  let text = JSON.stringify(json);
  text += ' '.repeat((8 - ((8 + new TextEncoder().encode(text).byteLength) % 8)) % 8);
  const body = new TextEncoder().encode(text);
  const header = new Uint8Array(8 + body.byteLength);
  new DataView(header.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  header.set(body, 8);
  return { header, plan, dtype, dataBytes: offset };
}

/** Serialises tensors to safetensors bytes (names sorted, header padded to 8 bytes). */
export function writeSafetensors(
  tensors: Record<string, TensorToSave>,
  opts: WriteSafetensorsOptions = {},
): Uint8Array {
  const { header, plan, dtype, dataBytes } = planSafetensors(tensors, opts);
  const out = new Uint8Array(header.byteLength + dataBytes);
  out.set(header, 0);
  for (const p of plan) out.set(encodeTensorBytes(p.data, dtype), header.byteLength + p.begin);
  return out;
}
