import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { MagicError, SafetensorsError } from './errors.js';
import { encodeTensorBytes, readSafetensors, writeSafetensors } from './safetensors.js';
import { loadSafetensorsFile, saveSafetensorsFile } from './safetensors-file.js';

/** Builds a safetensors file from a raw header object and raw data bytes (no validation: for hostile cases). */
function rawFile(header: unknown, data: Uint8Array, headerLenOverride?: bigint): Uint8Array {
  const body = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + body.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, headerLenOverride ?? BigInt(body.byteLength), true);
  out.set(body, 8);
  out.set(data, 8 + body.byteLength);
  return out;
}

function expectSafetensorsError(fn: () => unknown, field: string, pattern: RegExp) {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(SafetensorsError.isInstance(caught)).toBe(true);
  expect(MagicError.isInstance(caught)).toBe(true);
  const err = caught as SafetensorsError;
  expect(err.file).toBe('bad.safetensors');
  expect(err.field).toBe(field);
  expect(err.message).toMatch(pattern);
  expect(err.message).toContain('bad.safetensors');
}

const file = 'bad.safetensors';
const okEntry = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

describe('safetensors round trip', () => {
  it('round-trips F32 exactly with metadata, names sorted and header padded to 8 bytes', () => {
    const a = new Float32Array([1.5, -2.25, 3e-8, 1e30, 0, -0]);
    const b = new Float32Array([7]);
    const bytes = writeSafetensors(
      { 'z.weight': { shape: [2, 3], data: a }, 'a.bias': { shape: [], data: b } },
      { metadata: { format: 'pt' } },
    );
    const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLen) % 8).toBe(0);
    const f = readSafetensors(bytes, { file: 'rt.safetensors' });
    expect([...f.tensors.keys()]).toEqual(['a.bias', 'z.weight']);
    expect(f.tensors.get('z.weight')).toEqual({ dtype: 'F32', shape: [2, 3], data: a });
    expect(f.tensors.get('a.bias')?.data).toEqual(b);
    expect(f.metadata).toEqual({ format: 'pt' });
  });

  it('stores BF16 with round-to-nearest-even and reads it back as float32', () => {
    // 1 + 2^-8 is exactly halfway between bf16 neighbours 1 and 1 + 2^-7: ties to even -> 1.
    // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 (odd mantissa) and 1 + 2^-6: ties to even -> 1 + 2^-6.
    // 1 + 2^-8 + 2^-20 is just above halfway -> rounds up to 1 + 2^-7.
    const data = new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, 1 + 2 ** -8 + 2 ** -20, -3.140625, Number.NaN]);
    const bytes = writeSafetensors({ w: { shape: [5], data } }, { dtype: 'BF16' });
    const t = defined(readSafetensors(bytes).tensors.get('w'), 'readSafetensors(bytes).tensors.get(w)');
    expect(t.dtype).toBe('BF16');
    expect(Array.from(t.data.subarray(0, 4))).toEqual([1, 1 + 2 ** -6, 1 + 2 ** -7, -3.140625]);
    expect(Number.isNaN(t.data[4])).toBe(true);
    expect(bytes.byteLength).toBeLessThan(writeSafetensors({ w: { shape: [5], data } }).byteLength);
  });

  it('encodes every NaN payload as the one bf16 quiet NaN, infinities as infinities, overflow as infinity', () => {
    // quiet, negative with payload, signalling NaN; +inf, -inf; the largest float32 rounds up past bf16's range
    const bits = new Uint32Array([0x7fc00000, 0xffc00001, 0x7f800001, 0x7f800000, 0xff800000, 0x7f7fffff]);
    const out = new DataView(encodeTensorBytes(new Float32Array(bits.buffer), 'BF16').buffer);
    const halves = Array.from(bits, (_, i) => out.getUint16(i * 2, true));
    expect(halves).toEqual([0x7fc0, 0x7fc0, 0x7fc0, 0x7f80, 0xff80, 0x7f80]);
  });

  it('reads F16 from hand-built bytes (normal, subnormal, inf, negative)', () => {
    const halves = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x0000, 0x7bff];
    const data = new Uint8Array(halves.length * 2);
    for (const [i, h] of halves.entries()) new DataView(data.buffer).setUint16(i * 2, h, true);
    const bytes = rawFile({ h: { dtype: 'F16', shape: [7], data_offsets: [0, 14] } }, data);
    const t = defined(readSafetensors(bytes).tensors.get('h'), 'readSafetensors(bytes).tensors.get(h)');
    expect(t.dtype).toBe('F16');
    expect(Array.from(t.data)).toEqual([1, -2, 0.333251953125, 2 ** -24, Number.POSITIVE_INFINITY, 0, 65504]);
  });

  it('saves and loads through files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magic-st-'));
    try {
      const path = join(dir, 'm.safetensors');
      const data = new Float32Array([0.5, 1, 2, 4]);
      await saveSafetensorsFile(path, { w: { shape: [2, 2], data } }, { metadata: { a: 'b' } });
      const f = await loadSafetensorsFile(path);
      expect(f.tensors.get('w')?.data).toEqual(data);
      expect(f.metadata).toEqual({ a: 'b' });
      expect(readSafetensors(await readFile(path)).tensors.get('w')?.shape).toEqual([2, 2]);
      const bad = await readFile(path);
      await writeFile(path, bad.subarray(0, bad.byteLength - 3));
      await expect(loadSafetensorsFile(path)).rejects.toSatisfy(
        (e: unknown) => SafetensorsError.isInstance(e) && e.file === path && e.field === 'w',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects tensors whose data does not match the shape when writing', () => {
    expect(() => writeSafetensors({ w: { shape: [3], data: new Float32Array(2) } })).toThrow(SafetensorsError);
  });

  it('refuses to write a dtype outside F32/BF16 (e.g. a lower-case name from untyped code)', () => {
    const w = { w: { shape: [1], data: new Float32Array(1) } };
    expect(() => writeSafetensors(w, { dtype: 'bf16' as 'BF16' })).toThrow(/cannot save dtype 'bf16'/);
  });
});

describe('safetensors hostile input', () => {
  const eight = new Uint8Array(8);

  it('truncated file (shorter than the length prefix)', () => {
    expectSafetensorsError(() => readSafetensors(new Uint8Array(5), { file }), 'header length', /shorter/);
  });

  it('truncated data section', () => {
    const good = rawFile({ w: okEntry }, eight);
    expectSafetensorsError(() => readSafetensors(good.subarray(0, good.byteLength - 4), { file }), 'w', /out of range/);
  });

  it('header length past the end of the file', () => {
    const bytes = rawFile({ w: okEntry }, eight, 10_000n);
    expectSafetensorsError(() => readSafetensors(bytes, { file }), 'header length', /past the end/);
  });

  it('huge header length (over 100 MB, including values above 2^53)', () => {
    for (const n of [100_000_001n, 2n ** 63n]) {
      const bytes = rawFile({ w: okEntry }, eight, n);
      expectSafetensorsError(() => readSafetensors(bytes, { file }), 'header length', /exceeds/);
    }
  });

  it('header that is not JSON or not an object', () => {
    expectSafetensorsError(() => readSafetensors(rawFile('{"w": ', eight), { file }), 'header', /JSON/);
    expectSafetensorsError(() => readSafetensors(rawFile('[1,2]', new Uint8Array()), { file }), 'header', /object/);
  });

  it('overlapping offsets', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expectSafetensorsError(() => readSafetensors(rawFile(header, new Uint8Array(12)), { file }), 'b', /overlap/);
  });

  it('out-of-range offsets', () => {
    const header = { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } };
    expectSafetensorsError(() => readSafetensors(rawFile(header, eight), { file }), 'w', /out of range/);
    const far = { w: { dtype: 'F32', shape: [1], data_offsets: [2 ** 52, 2 ** 52 + 4] } };
    expectSafetensorsError(() => readSafetensors(rawFile(far, eight), { file }), 'w', /out of range/);
  });

  it('negative, fractional or reversed offsets and shapes', () => {
    const neg = { w: { dtype: 'F32', shape: [2], data_offsets: [-8, 0] } };
    expectSafetensorsError(() => readSafetensors(rawFile(neg, eight), { file }), 'w', /malformed/);
    const frac = { w: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } };
    expectSafetensorsError(() => readSafetensors(rawFile(frac, eight), { file }), 'w', /malformed/);
    const rev = { w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } };
    expectSafetensorsError(() => readSafetensors(rawFile(rev, eight), { file }), 'w', /end before/);
  });

  it('unknown dtype', () => {
    const header = { w: { dtype: 'F64', shape: [1], data_offsets: [0, 8] } };
    expectSafetensorsError(() => readSafetensors(rawFile(header, eight), { file }), 'w', /unsupported dtype 'F64'/);
  });

  it('byte count that does not match the shape', () => {
    const header = { w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } };
    expectSafetensorsError(() => readSafetensors(rawFile(header, eight), { file }), 'w', /needs 12/);
  });

  it('gap between tensors and bad __metadata__', () => {
    const gap = { w: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expectSafetensorsError(() => readSafetensors(rawFile(gap, eight), { file }), 'w', /gap/);
    const meta = { __metadata__: { n: 1 }, w: okEntry };
    expectSafetensorsError(() => readSafetensors(rawFile(meta, eight), { file }), '__metadata__', /string/);
  });
});
