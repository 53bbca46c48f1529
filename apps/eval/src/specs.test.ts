import { describe, expect, it } from 'vitest';
import { EvalCliError } from './errors.js';
import { parseJudgeSpec, parseTargetSpec } from './specs.js';

describe('parseTargetSpec', () => {
  it('reads local and openai targets', () => {
    expect(parseTargetSpec('local:runs/x/ckpt')).toEqual({ kind: 'local', dir: 'runs/x/ckpt' });
    expect(parseTargetSpec('openai:http://127.0.0.1:8000/v1/#Qwen/Qwen2.5-7B-Instruct')).toEqual({
      kind: 'openai',
      baseURL: 'http://127.0.0.1:8000/v1',
      model: 'Qwen/Qwen2.5-7B-Instruct',
    });
  });
  it.each(['local:', 'openai:http://x', 'openai:#m', 'openai:ftp://x#m', 'hf:foo'])(
    'rejects %s naming the flag',
    (spec) => {
      expect(() => parseTargetSpec(spec)).toThrow(EvalCliError);
      expect(() => parseTargetSpec(spec)).toThrow(/--target/);
    },
  );
});

describe('parseJudgeSpec', () => {
  it('reads every judge kind', () => {
    expect(parseJudgeSpec('local')).toEqual({ kind: 'local' });
    expect(parseJudgeSpec('rules')).toEqual({ kind: 'rules' });
    expect(parseJudgeSpec('qwen3guard:http://h:1/v1')).toEqual({
      kind: 'qwen3guard',
      baseURL: 'http://h:1/v1',
      model: 'orm',
    });
    expect(parseJudgeSpec('wildguard:https://h/v1#allenai/wildguard')).toEqual({
      kind: 'wildguard',
      baseURL: 'https://h/v1',
      model: 'allenai/wildguard',
    });
    expect(parseJudgeSpec('harmbench-cls:http://h/v1').kind).toBe('harmbench-cls');
  });
  it.each(['gpt4', 'qwen3guard', 'qwen3guard:', 'wildguard:not a url'])('rejects %s', (spec) => {
    const error = (() => {
      try {
        parseJudgeSpec(spec);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(EvalCliError.isInstance(error)).toBe(true);
    expect((error as EvalCliError).flag).toBe('--judge');
  });
});
