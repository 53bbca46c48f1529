import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import type { MultipleChoiceItem } from '../loaders/mmlu.js';
import { extractFinalNumber, gsm8kExactMatch } from './gsm8k.js';
import { binaryClassificationMetrics } from './judge-quality.js';
import { formatMultipleChoicePrompt, parseAnswerLetter, predictByLogLikelihood } from './multiple-choice.js';

const item: MultipleChoiceItem = {
  id: 'x',
  subject: 's',
  question: 'Which is a fruit?',
  choices: ['Carrot', 'Apple', 'Potato', 'Onion'].map((text, i) => ({ label: at('ABCD', i, 'ABCD'), text })),
  answer: 'B',
};

describe('multiple choice', () => {
  it('parses answer letters from endpoint replies', () => {
    const labels = ['A', 'B', 'C', 'D'];
    expect(parseAnswerLetter('B', labels)).toBe('B');
    expect(parseAnswerLetter('(C) Potato', labels)).toBe('C');
    expect(parseAnswerLetter('The answer is D.', labels)).toBe('D');
    expect(parseAnswerLetter('Answer: **A**', labels)).toBe('A');
    expect(parseAnswerLetter('I think option B is right', labels)).toBe('B');
    expect(parseAnswerLetter('Either A or B', labels)).toBeNull();
    expect(parseAnswerLetter('No idea', labels)).toBeNull();
  });

  it('formats the prompt with lettered options', () => {
    expect(formatMultipleChoicePrompt(item)).toBe(
      'Which is a fruit?\nA. Carrot\nB. Apple\nC. Potato\nD. Onion\nAnswer with the letter of the correct option.',
    );
  });

  it('log-likelihood scoring picks the arg-max continuation', async () => {
    const seen: string[][] = [];
    const scorer = {
      scoreContinuations: async (_prompt: string, continuations: readonly string[]) => {
        seen.push([...continuations]);
        return [-3, -0.5, -2, -4];
      },
    };
    expect(await predictByLogLikelihood(item, scorer)).toBe('B');
    expect(seen[0]).toEqual([' A', ' B', ' C', ' D']);
  });
});

describe('GSM8K exact match', () => {
  it('extracts the final number', () => {
    expect(extractFinalNumber('so 16 - 3 - 4 = 9 and 9 * 2 = 18\n#### 18')).toBe('18');
    expect(extractFinalNumber('The answer is $1,250.')).toBe('1250');
    expect(extractFinalNumber('First 3 then 5, finally 7.00')).toBe('7');
    expect(extractFinalNumber('no numbers')).toBeNull();
    expect(gsm8kExactMatch('... #### 18', '18')).toBe(true);
    expect(gsm8kExactMatch('It is 18.0', '18')).toBe(true);
    expect(gsm8kExactMatch('It is 17', '18')).toBe(false);
    expect(gsm8kExactMatch('-5 degrees', '-5')).toBe(true);
  });
});

describe('judge quality', () => {
  it('precision / recall / F1 with a parse failure counted as wrong', () => {
    const m = binaryClassificationMetrics([
      { predicted: true, label: true },
      { predicted: true, label: false },
      { predicted: false, label: true },
      { predicted: false, label: false },
      { predicted: true, label: true },
      { predicted: null, label: true }, // → predicted false → FN
    ]);
    expect(m).toMatchObject({ tp: 2, fp: 1, fn: 2, tn: 1, n: 6, parseFailures: 1 });
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(2 / 4);
    expect(m.f1).toBeCloseTo((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5));
    expect(m.accuracy).toBeCloseTo(3 / 6);
    expect(binaryClassificationMetrics([{ predicted: false, label: false }])).toMatchObject({
      precision: 0,
      recall: 0,
      f1: 0,
      accuracy: 1,
    });
  });
});
