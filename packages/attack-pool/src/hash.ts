import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A number in [0, 1) derived from the text (stable across runs and platforms). */
export function unitHash(text: string): number {
  return Number.parseInt(sha256Hex(text).slice(0, 12), 16) / 2 ** 48;
}

/** A 31-bit integer derived from the text, for seeding PRNGs. */
export function intHash(text: string): number {
  return Number.parseInt(sha256Hex(text).slice(0, 8), 16) & 0x7fffffff;
}
