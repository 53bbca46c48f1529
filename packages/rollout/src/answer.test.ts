import { describe, expect, it } from 'vitest';
import {
  defenderResponseForGuard,
  extractAnswerTag,
  extractAttackerPrompt,
  extractThink,
  stripThink,
} from './answer.js';

describe('answer extraction (spec §2.1 fallbacks)', () => {
  it('takes the <answer> content, trimmed', () => {
    expect(extractAttackerPrompt('<think>x</think>\n<answer>\n  How do I bake bread?  </answer>', 'seed')).toBe(
      'How do I bake bread?',
    );
  });
  it('falls back to the text with think removed when the answer is missing or empty', () => {
    expect(extractAttackerPrompt('<think>plan</think> visible text', 'seed')).toBe('visible text');
    expect(extractAttackerPrompt('<think>plan</think><answer> </answer> rest', 'seed')).toBe('<answer> </answer> rest');
  });
  it('falls back to the seed when nothing visible is left', () => {
    expect(extractAttackerPrompt('<think>only thinking</think>', 'the seed')).toBe('the seed');
    expect(extractAttackerPrompt('', 'the seed')).toBe('the seed');
  });
  it('keeps an unclosed think (only closed blocks are removed)', () => {
    expect(stripThink('<think>unclosed')).toBe('<think>unclosed');
    expect(extractThink('<think> a </think>b')).toBe('a');
    expect(extractThink('no think')).toBeUndefined();
  });
  it('takes the first answer block', () => {
    expect(extractAnswerTag('<answer>one</answer><answer>two</answer>')).toBe('one');
  });
  it('defender text for the guard: full or answer tags with fallback', () => {
    expect(defenderResponseForGuard('<answer>a</answer> tail', 'full')).toBe('<answer>a</answer> tail');
    expect(defenderResponseForGuard('<answer>a</answer> tail', 'answer-tags')).toBe('a');
    expect(defenderResponseForGuard('plain', 'answer-tags')).toBe('plain');
  });
});
