import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { fakeTarget } from '../suites/fakes.test-helpers.js';
import { runSuite } from '../suites/run-suite.js';
import type { GuardLike } from '../types.js';
import {
  approximateTruncator,
  extractAnswer,
  generationBudgets,
  judgeText,
  resolveGenerationBudget,
  tokenizerTruncator,
} from './judge-input.js';

// one "token" per space-separated word: a tokenizer whose cut is easy to state by hand
const wordTokenizer = (() => {
  const vocab: string[] = [];
  return {
    encode: (text: string) =>
      text.split(' ').map((w) => {
        const i = vocab.indexOf(w);
        return i >= 0 ? i : vocab.push(w) - 1;
      }),
    decode: (ids: number[]) => ids.map((i) => vocab[i]).join(' '),
  };
})();

/** A guard that records the response text it was shown. */
function recordingGuard(): GuardLike & { seen: string[] } {
  const seen: string[] = [];
  return {
    name: 'recording',
    seen,
    moderatePrompt: async () => ({ safety: 'safe' }),
    moderateResponse: async (_prompt, response) => {
      seen.push(response);
      return { safety: 'safe', refusal: 'yes' };
    },
  };
}

describe('extractAnswer', () => {
  it('keeps the last <answer> block, an unclosed one to the end, and a reply without tags as it is', () => {
    expect(extractAnswer('<think>plan a b</think><answer> final words </answer>')).toBe('final words');
    expect(extractAnswer('<answer>one</answer> then <answer>two</answer> tail')).toBe('two');
    expect(extractAnswer('reasoning <answer>cut by the budget')).toBe('cut by the budget');
    expect(extractAnswer('no tags here')).toBe('no tags here');
  });
});

describe('judgeText', () => {
  const words = tokenizerTruncator('words', wordTokenizer);
  it('extracts the answer, then cuts it to maxTokens tokens of the given tokenizer', () => {
    const reply = '<think>x y z</think><answer>w1 w2 w3 w4 w5</answer>';
    expect(judgeText(reply, { extractAnswer: true, maxTokens: 3 }, words)).toBe('w1 w2 w3');
    expect(judgeText(reply, { extractAnswer: false, maxTokens: 2 }, words)).toBe('<think>x y');
    expect(judgeText(reply, { extractAnswer: true, maxTokens: null }, words)).toBe('w1 w2 w3 w4 w5');
  });

  it('the approximate truncator counts pre-tokenizer pieces (words with their leading space, punctuation runs)', () => {
    expect(approximateTruncator.truncate('alpha beta, gamma delta', 3)).toBe('alpha beta,');
    expect(approximateTruncator.truncate('alpha beta', 5)).toBe('alpha beta');
  });
});

describe('runSuite judges the prepared reply', () => {
  const reply = `<think>${'t '.repeat(20)}</think><answer>${Array.from({ length: 600 }, (_, i) => `a${i}`).join(' ')}</answer>`;

  it('by default: <answer> extracted and cut to 512 tokens of the target tokenizer; results record both texts', async () => {
    const target = { ...fakeTarget('cot', () => reply), truncator: tokenizerTruncator('words', wordTokenizer) };
    const guard = recordingGuard();
    const r = await runSuite({
      suite: 'safety',
      target,
      judge: guard,
      limit: 1,
      tasks: ['hbVan'],
      bootstrapSamples: 10,
    });
    const expected = Array.from({ length: 512 }, (_, i) => `a${i}`).join(' ');
    expect(guard.seen).toEqual([expected]);
    expect(at(at(r.tasks, 0, 'tasks').samples, 0, 'samples').response).toBe(reply);
    expect(at(at(r.tasks, 0, 'tasks').samples, 0, 'samples').judgedResponse).toBe(expected);
    expect(r.judgeInput).toEqual({ extractAnswer: true, maxTokens: 512, tokenizer: 'words' });
  });

  it('configurable: extraction off and another budget; judgeTruncator overrides the target tokenizer', async () => {
    const target = fakeTarget('cot', () => reply);
    const guard = recordingGuard();
    await runSuite({
      suite: 'safety',
      target,
      judge: guard,
      limit: 1,
      tasks: ['hbVan'],
      bootstrapSamples: 10,
      judgeInput: { extractAnswer: false, maxTokens: 4 },
      judgeTruncator: tokenizerTruncator('words', wordTokenizer),
    });
    expect(guard.seen).toEqual(['<think>t t t t']);
  });
});

describe('generation budgets', () => {
  it('are available by name (paper-cot = 8,192, default = 512) or as numbers', () => {
    expect(generationBudgets).toEqual({ default: 512, 'paper-cot': 8192 });
    expect(resolveGenerationBudget('paper-cot')).toBe(8192);
    expect(resolveGenerationBudget('default')).toBe(512);
    expect(resolveGenerationBudget('64')).toBe(64);
    expect(resolveGenerationBudget('cot')).toBeNull();
    expect(resolveGenerationBudget('0')).toBeNull();
  });
});
