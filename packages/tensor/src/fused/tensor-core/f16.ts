/*
 * Rounding to IEEE binary16 (round to nearest, ties to even; subnormals kept, overflow to ±Infinity) in f32
 * arithmetic: the same bit operations in TypeScript (the JS reference) and in WGSL (the emulated kernel, for
 * adapters without `shader-f16`, such as the software adapter in CI), so both round every value identically.
 */

// one f32 reinterpreted as its bits (a DataView: typed-array reads would be `number | undefined`)
const view = new DataView(new ArrayBuffer(4));
const bitsOf = (x: number) => {
  view.setFloat32(0, x);
  return view.getUint32(0);
};
const fromBits = (b: number) => {
  view.setUint32(0, b >>> 0);
  return view.getFloat32(0);
};

/** Smallest f16 normal, 2^-14. */
export const F16_MIN_NORMAL = 2 ** -14;
/** Halfway between f16's largest finite value (65504) and the next binade step: values from here round to Infinity. */
const F16_OVERFLOW = 65520;

/** `x` rounded to the nearest binary16 value (ties to even), returned as a float32 number. */
export function roundF16(x: number): number {
  const bits = bitsOf(x);
  const sign = bits & 0x80000000;
  const b = bits & 0x7fffffff;
  if (b > 0x7f800000) return Number.NaN;
  const ax = fromBits(b);
  let r: number;
  if (ax >= F16_OVERFLOW) r = 0x7f800000;
  else if (ax < F16_MIN_NORMAL) {
    // f16 subnormals are multiples of 2^-24: scale (exactly), round half to even, scale back (exactly)
    r = bitsOf(roundHalfEven(ax * 2 ** 24) * 2 ** -24);
  } else {
    // keep 10 mantissa bits: add 0xfff plus the lowest kept bit, then truncate
    r = ((b + 0xfff + ((b >>> 13) & 1)) & 0xffffe000) >>> 0;
  }
  return fromBits(sign | r);
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * WGSL of `roundF16(x: f32) -> f32`, the same operations as roundF16 above (WGSL's `round` is ties-to-even; the
 * multiplications by 2^±24 are exact in the subnormal branch).
 */
export const ROUND_F16_WGSL = `
    fn roundF16(x : f32) -> f32 {
      let bits = bitcast<u32>(x);
      let sign = bits & 0x80000000u;
      let b = bits & 0x7fffffffu;
      if (b > 0x7f800000u) { return x; }
      let ax = bitcast<f32>(b);
      var r : u32;
      if (ax >= 65520.0) {
        r = 0x7f800000u;
      } else if (ax < 6.103515625e-05) {
        r = bitcast<u32>(round(ax * 16777216.0) * 5.9604644775390625e-08);
      } else {
        r = (b + 0xfffu + ((b >> 13u) & 1u)) & 0xffffe000u;
      }
      return bitcast<f32>(sign | r);
    }`;

/** 2^e as a float32 (e clamped to the normal exponents [-126, 127]). */
export function pow2(e: number): number {
  return 2 ** Math.max(-126, Math.min(127, e));
}

/** WGSL of `pow2(e: i32) -> f32`, built from the exponent bits (exact, unlike exp2 on some drivers). */
export const POW2_WGSL = `
    fn pow2(e : i32) -> f32 {
      return bitcast<f32>(u32(clamp(e, -126, 127) + 127) << 23u);
    }`;
