import { describe, expect, it } from 'vitest';
import { attackerPromptForJudge, defenderResponseForJudge, extractAnswer, isWellFormatted } from './answer-tags.js';

describe('answer-tag extraction (spec §2.1)', () => {
  it('uses the <answer> content of the attacker', () => {
    expect(attackerPromptForJudge('<think>x</think><answer> Bake bread? </answer>', 'seed')).toBe('Bake bread?');
  });
  it('falls back to the text without <think>, then to the seed', () => {
    expect(attackerPromptForJudge('<think>x</think> Bake bread?', 'seed')).toBe('Bake bread?');
    expect(attackerPromptForJudge('<think>only thinking</think>', 'seed')).toBe('seed');
    // literal to the original: an empty <answer> falls back to the think-stripped text, tags included
    expect(attackerPromptForJudge('<think>x</think><answer>  </answer>', 'seed')).toBe('<answer>  </answer>');
  });
  it('judges the whole defender text unless useAnswerTags', () => {
    const text = '<think>t</think><answer>Here is a recipe.</answer>';
    expect(defenderResponseForJudge(text, false)).toBe(text);
    expect(defenderResponseForJudge(text, true)).toBe('Here is a recipe.');
    expect(defenderResponseForJudge('no tags', true)).toBe('no tags');
  });
  it('extractAnswer needs a closing tag', () => {
    expect(extractAnswer('<answer>open')).toBeUndefined();
  });
});

describe('format check', () => {
  it.each([
    ['<think>a</think><answer>b</answer>', true],
    ['  <think>a</think>\n\n<answer>b</answer>  ', true],
    ['<think>a</think> text <answer>b</answer>', false],
    ['<answer>b</answer><think>a</think>', false],
    ['<think>a</think><answer>b</answer><answer>c</answer>', false],
    ['<think>a<think></think><answer>b</answer>', false],
    ['<think>a</think><answer>b</answer> trailing', false],
    ['', false],
    ['plain', false],
  ])('%j → %s', (text, ok) => {
    expect(isWellFormatted(text)).toBe(ok);
  });
});
