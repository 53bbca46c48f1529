import { initBackend } from '@magic/tensor';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CausalLM } from './causal-lm.js';
import { LmCheckpointError } from './errors.js';
import { applyLmRuntimeOptions, lmRuntimeOptionsFromEnv } from './runtime-options.js';
import { Tokenizer } from './tokenizer.js';

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

describe('lmRuntimeOptionsFromEnv', () => {
  it("maps the CLIs' variables to options and leaves unset ones out", () => {
    expect(lmRuntimeOptionsFromEnv({})).toEqual({});
    expect(
      lmRuntimeOptionsFromEnv({
        MAGIC_PACKED_MLP: '0',
        MAGIC_PACKED_DECODE: '0',
        MAGIC_DECODE_GRAPH: '0',
        MAGIC_QWEN_TOKENIZER_DIR: ' /opt/qwen ',
      }),
    ).toEqual({ packedMlp: false, packedDecode: false, decodeGraph: false, qwenTokenizerDir: '/opt/qwen' });
    // only '0' switched a fast path off before, so '1' or other text keeps it on
    expect(lmRuntimeOptionsFromEnv({ MAGIC_DECODE_GRAPH: '1', MAGIC_PACKED_MLP: 'yes' })).toEqual({});
  });
});

describe('applyLmRuntimeOptions', () => {
  it("sets the model's defaults and keeps the ones not given", async () => {
    const lm = await CausalLM.fromPreset('tiny', { seed: 1 });
    expect([lm.packedMlp, lm.packedDecode, lm.decodeGraph]).toEqual([true, true, true]);
    applyLmRuntimeOptions(lm, { decodeGraph: false });
    expect([lm.packedMlp, lm.packedDecode, lm.decodeGraph]).toEqual([true, true, false]);
    applyLmRuntimeOptions(lm, { packedMlp: false, packedDecode: false });
    expect([lm.packedMlp, lm.packedDecode, lm.decodeGraph]).toEqual([false, false, false]);
    lm.dispose();
  });
});

describe('the Qwen tokenizer folder is an option, not an environment variable', () => {
  const before = process.env.MAGIC_QWEN_TOKENIZER_DIR;
  afterEach(() => {
    if (before === undefined) delete process.env.MAGIC_QWEN_TOKENIZER_DIR;
    else process.env.MAGIC_QWEN_TOKENIZER_DIR = before;
  });

  it('fromPreset reads the folder it is given', async () => {
    const missing = '/nonexistent/qwen-tokenizer';
    const err = await CausalLM.fromPreset('qwen2.5-0.5b', { qwenTokenizerDir: missing }).catch((e: unknown) => e);
    expect(LmCheckpointError.isInstance(err)).toBe(true);
    expect((err as Error).message).toContain(missing);
  });

  it('qwenDefault ignores MAGIC_QWEN_TOKENIZER_DIR (only the CLIs read it)', async () => {
    process.env.MAGIC_QWEN_TOKENIZER_DIR = '/nonexistent/qwen-tokenizer';
    const tok = await Tokenizer.qwenDefault();
    expect(tok.vocabSize).toBeGreaterThan(150_000);
  });
});
