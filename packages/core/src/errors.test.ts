import { describe, expect, it } from 'vitest';
import { ERROR_CODE_PATTERN, hasMagicErrorCode, isMagicError, MagicError, magicErrorMarker } from './errors.js';

class DemoError extends MagicError {
  readonly field: string;
  constructor(field: string) {
    super('DEMO_INPUT', `${field}: bad`);
    this.field = field;
  }
}

describe('MagicError', () => {
  it('carries code, message, name, cause and the shared marker', () => {
    const cause = new Error('root');
    const e = new MagicError('CORE_TEST', 'broken', { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('CORE_TEST');
    expect(e.message).toBe('broken');
    expect(e.name).toBe('MagicError');
    expect(e.cause).toBe(cause);
    expect(e[magicErrorMarker]).toBe(true);
    expect(magicErrorMarker).toBe(Symbol.for('magic.error'));
  });

  it('subclasses keep their own name and are instances of MagicError', () => {
    const e = new DemoError('rows');
    expect(e.name).toBe('DemoError');
    expect(e).toBeInstanceOf(MagicError);
    expect(MagicError.isInstance(e)).toBe(true);
    expect(hasMagicErrorCode(e, 'DEMO_INPUT')).toBe(true);
    expect(hasMagicErrorCode(e, 'OTHER')).toBe(false);
  });

  it('isInstance recognises a marked error from another copy of the package, and nothing else', () => {
    const foreign = Object.assign(new Error('x'), { code: 'X', [Symbol.for('magic.error')]: true });
    expect(isMagicError(foreign)).toBe(true);
    expect(MagicError.isInstance(foreign)).toBe(true);
    expect(isMagicError(new Error('plain'))).toBe(false);
    expect(isMagicError({ code: 'X' })).toBe(false);
    expect(isMagicError(null)).toBe(false);
    expect(isMagicError('MAGIC')).toBe(false);
  });

  it('the code rule accepts UPPER_SNAKE_CASE only', () => {
    for (const ok of ['LM_CONFIG', 'GRPO_INPUT', 'CONFIG', 'WEBGPU_ERROR', 'A1_B2']) {
      expect(ERROR_CODE_PATTERN.test(ok), ok).toBe(true);
    }
    for (const bad of ['grpo_input', 'LmConfig', 'LM__CONFIG', '_LM', 'LM_', 'lm-config', '']) {
      expect(ERROR_CODE_PATTERN.test(bad), bad).toBe(false);
    }
  });
});
