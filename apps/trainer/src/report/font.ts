import type { Raster, Rgb } from './png.js';

/**
 * The classic 5×8 LCD bitmap font (ASCII 32–126), five column bytes per glyph, bit 0 = top row: lets report.png
 * carry titles, tick labels, axis labels and legends without a font file or a native canvas.
 */
const GLYPHS = [
  '000000000000005F00000007000700147F147F14242A7F2A12231308646236495620500008070300001C2241000041221C00',
  '2A1C7F1C2A08083E080800807030000808080808000060600020100804023E5149453E00427F400072494949462141494D33',
  '1814127F1027454545393C4A49493141211109073649494936464949291E0000140000004034000000081422411414141414',
  '004122140802015909063E415D594E7C1211127C7F494949363E414141227F4141413E7F494949417F090909013E41415173',
  '7F0808087F00417F41002040413F017F081422417F404040407F021C027F7F0408107F3E4141413E7F090909063E4151215E',
  '7F09192946264949493203017F01033F4040403F1F2040201F3F4038403F631408146303047804036159494D43007F414141',
  '0204081020004141417F04020102044040404040000307080020545478407F284444383844444428384444287F3854545418',
  '00087E090218A4A49C787F0804047800447D40002040403D007F1028440000417F40007C047804787C080404783844444438',
  'FC1824241818242418FC7C08040408485454542404043F44243C4040207C1C2040201C3C4030403C44281028444C9090907C',
  '4464544C440008364100000077000000413608000201020402',
].join('');

export const GLYPH_W = 5;
export const GLYPH_H = 8;
/** Horizontal advance of one character at scale 1 (glyph + 1 px gap). */
export const ADVANCE = GLYPH_W + 1;

function columns(ch: string): number[] {
  let code = ch.charCodeAt(0);
  if (code < 32 || code > 126) code = 63; // '?'
  const o = (code - 32) * GLYPH_W * 2;
  return Array.from({ length: GLYPH_W }, (_, i) => Number.parseInt(GLYPHS.slice(o + 2 * i, o + 2 * i + 2), 16));
}

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return text.length === 0 ? 0 : (text.length * ADVANCE - 1) * scale;
}

export type Anchor = 'start' | 'middle' | 'end';

function startOffset(text: string, scale: number, anchor: Anchor): number {
  const w = textWidth(text, scale);
  return anchor === 'start' ? 0 : anchor === 'middle' ? w / 2 : w;
}

/** Draws `text` with its top-left at (x, y) (shifted left for anchor middle/end). */
export function drawText(
  r: Raster,
  x: number,
  y: number,
  text: string,
  c: Rgb,
  scale = 1,
  anchor: Anchor = 'start',
): void {
  const x0 = Math.round(x - startOffset(text, scale, anchor));
  [...text].forEach((ch, i) => {
    columns(ch).forEach((bits, col) => {
      for (let row = 0; row < GLYPH_H; row++) {
        if (((bits >> row) & 1) === 0) continue;
        r.fillRect(x0 + (i * ADVANCE + col) * scale, Math.round(y) + row * scale, scale, scale, c);
      }
    });
  });
}

/** Draws `text` rotated 90° counter-clockwise (reading bottom to top), centred on y, its top edge at x. */
export function drawTextUp(r: Raster, x: number, y: number, text: string, c: Rgb, scale = 1): void {
  const y0 = Math.round(y + textWidth(text, scale) / 2);
  [...text].forEach((ch, i) => {
    columns(ch).forEach((bits, col) => {
      for (let row = 0; row < GLYPH_H; row++) {
        if (((bits >> row) & 1) === 0) continue;
        r.fillRect(Math.round(x) + row * scale, y0 - (i * ADVANCE + col + 1) * scale, scale, scale, c);
      }
    });
  });
}
