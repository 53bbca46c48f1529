import { inflateSync } from 'node:zlib';
import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng, Raster } from './png.js';

describe('encodePng', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('writes a valid signature, IHDR and pixel data that round-trips', () => {
    const r = new Raster(3, 2, [10, 20, 30]);
    r.setPixel(1, 1, [255, 0, 0]);
    const png = encodePng(r.width, r.height, r.data);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
    expect(view.getUint32(16)).toBe(3);
    expect(view.getUint32(20)).toBe(2);
    const idatLen = view.getUint32(33);
    expect(String.fromCharCode(...png.subarray(37, 41))).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect(raw.length).toBe(2 * (3 * 4 + 1));
    expect([...raw.subarray(1, 5)]).toEqual([10, 20, 30, 255]);
    const o = 13 + 1 + 4; // row 1, pixel 1
    expect([...raw.subarray(o, o + 4)]).toEqual([255, 0, 0, 255]);
    expect(String.fromCharCode(...png.subarray(png.length - 8, png.length - 4))).toBe('IEND');
  });

  it('line draws both endpoints and dashes leave gaps', () => {
    const r = new Raster(20, 5);
    r.line(0, 2, 19, 2, [0, 0, 0], 1, [2, 2]);
    const px = (x: number) => at(r.data, (2 * 20 + x) * 4, 'r.data');
    expect(px(0)).toBe(0);
    expect(px(1)).toBe(0);
    expect(px(2)).toBe(255);
    expect(px(4)).toBe(0);
  });
});
