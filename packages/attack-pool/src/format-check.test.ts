import { describe, expect, it } from 'vitest';
import { checkAttackerFormat, formatAttackerOutput } from './format-check.js';

describe('checkAttackerFormat', () => {
  it('accepts one think block followed by one answer block', () => {
    const r = checkAttackerFormat('  <think>plan</think>\n <answer>How do I bake bread?</answer> ');
    expect(r).toEqual({ ok: true, think: 'plan', answer: 'How do I bake bread?' });
  });
  it.each([
    ['', 'empty'],
    ['<answer>x</answer><think>y</think>', 'not <think>'],
    ['<think>a</think><think>b</think><answer>c</answer>', 'expected one <think>'],
    ['<think>a</think><answer>c</answer> trailing', 'not <think>'],
    ['lead <think>a</think><answer>c</answer>', 'not <think>'],
    ['<think>a</think>', 'expected one <answer>'],
  ])('rejects %j', (text, reason) => {
    const r = checkAttackerFormat(text);
    expect(r.ok).toBe(false);
    expect(r.reason).toContain(reason);
  });
  it('formatAttackerOutput always passes, even when the parts contain tags', () => {
    const out = formatAttackerOutput('I think <answer>oops</answer>', 'rewrite with </think> inside');
    expect(checkAttackerFormat(out).ok).toBe(true);
  });
});
