// Shared argument parsing for the benches (`--key value` flags; every flag takes a value).
import { at } from '@magic/core';

import { PRESETS, type Preset } from '@magic/lm';
import { DEVICES, type Device, MATMUL_PRECISIONS, type MatmulPrecision } from '@magic/tensor';

export interface BenchArgs<K extends string = string> {
  preset: Preset;
  device: Device;
  runs: number;
  /** initBackend's matmulPrecision (`--matmulPrecision f16`; default fp32). */
  matmulPrecision: MatmulPrecision;
  ints: Record<K, number>;
}

/** The `[key, value]` pairs of `--key value` flags (key without the dashes). */
export function flagPairs(argv: string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`missing value for ${argv[i]}`);
    pairs.push([argv[i]?.replace(/^--/, '') ?? '', value]);
  }
  return pairs;
}

/** A `--device` value, checked against @magic/tensor's devices. */
export function deviceFlag(value: string): Device {
  if (!DEVICES.includes(value as Device)) throw new Error(`--device must be one of ${DEVICES.join(', ')}`);
  return value as Device;
}

/** A positive integer flag (zero too when `allowZero`); `runs` is at least 3 (a median of >= 3 warm runs). */
export function positiveIntFlag(key: string, value: string, allowZero = false): number {
  const n = Number.parseInt(value, 10);
  if (!(n > 0 || (allowZero && n === 0))) throw new Error(`--${key} must be a positive integer, got ${value}`);
  return key === 'runs' ? Math.max(3, n) : n;
}

/** Parses `--preset P --device D --runs N --<name> <int>` with the given integer defaults. */
export function parseBenchArgs<K extends string>(
  argv: string[],
  ints: Record<K, number>,
  preset: Preset = 'tiny',
): BenchArgs<K> {
  const out: BenchArgs<K> = { preset, device: 'auto', runs: 3, matmulPrecision: 'fp32', ints: { ...ints } };
  const isIntKey = (key: string): key is K => key in ints;
  for (const [key, value] of flagPairs(argv)) {
    if (key === 'preset') {
      if (!PRESETS.includes(value as Preset)) throw new Error(`--preset must be one of ${PRESETS.join(', ')}`);
      out.preset = value as Preset;
    } else if (key === 'device') {
      out.device = deviceFlag(value);
    } else if (key === 'runs') {
      out.runs = Math.max(3, Number.parseInt(value, 10));
    } else if (key === 'matmulPrecision') {
      if (!MATMUL_PRECISIONS.includes(value as MatmulPrecision)) {
        throw new Error(`--matmulPrecision must be one of ${MATMUL_PRECISIONS.join(', ')}`);
      }
      out.matmulPrecision = value as MatmulPrecision;
    } else if (isIntKey(key)) {
      out.ints[key] = Number.parseInt(value, 10);
    } else {
      throw new Error(
        `unknown option --${key} (known: preset, device, runs, matmulPrecision, ${Object.keys(ints).join(', ')})`,
      );
    }
  }
  return out;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  const mid = at(s, m, 'sorted sample');
  return s.length % 2 ? mid : (at(s, m - 1, 'sorted sample') + mid) / 2;
}

/** Deterministic pseudo-random token ids in [lo, hi). */
export function randomIds(n: number, lo: number, hi: number, seed: number): number[] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return lo + ((x >>> 0) % (hi - lo));
  });
}
