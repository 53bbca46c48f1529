import { describe, expect, it } from 'vitest';
import { attackText, FakeGuard, TEST_PROMPTS, TEST_SEEDS } from './__fixtures__/game.js';
import { QWEN3_CHAT_TEMPLATE, qwenTestTokenizer } from './__fixtures__/qwen-tokenizer.js';
import { TemplateDriftError } from './errors.js';
import { runRollout } from './rollout.js';
import { ScriptedGenerator } from './scripted-generator.js';
import { assertAppendOnly, buildPromptSequence } from './token-splice.js';
import type { ChatMessage } from './types.js';

const qwen25 = qwenTestTokenizer();
const qwen3 = qwenTestTokenizer(QWEN3_CHAT_TEMPLATE);
const where = { role: 'attacker' as const, turn: 1 };

const chat = (assistant: string): ChatMessage[] => [
  { role: 'system', content: 'sys' },
  { role: 'user', content: 'Task:\nplaceholder' },
  { role: 'assistant', content: assistant },
  { role: 'user', content: 'a reply' },
];

describe('buildPromptSequence', () => {
  it('splices the sampled ids (even a non-canonical tokenization) and labels them with their turn', () => {
    // "Hello" sampled as two single-letter-ish pieces: not what encode() would produce
    const pieces = [...qwen25.encode('Hel'), ...qwen25.encode('lo')];
    expect(pieces).not.toEqual(qwen25.encode('Hello'));
    const tokenIds = [...pieces, 151645];
    const sample = { turn: 0, tokenIds, logprobs: tokenIds.map((_, i) => -0.1 * (i + 1)) };
    const seq = buildPromptSequence(qwen25, chat('Hello'), [sample], where);
    const render = qwen25.applyChatTemplate(chat('Hello'), { addGenerationPrompt: true });
    expect(qwen25.decode(seq.inputIds)).toBe(render);
    const labelled = seq.inputIds.filter((_, i) => seq.labelMask[i] === 1);
    expect(labelled).toEqual(sample.tokenIds); // stop token kept once, labelled; the template's copy dropped
    expect(seq.stepIds.filter((s) => s === 0)).toHaveLength(sample.tokenIds.length);
    expect(seq.logprobs.filter((_, i) => seq.labelMask[i] === 1)).toEqual(sample.logprobs);
  });

  it('a truncated sample (no stop token) is followed by the template end-of-turn token as a prompt token', () => {
    const ids = qwen25.encode('Hello');
    const seq = buildPromptSequence(
      qwen25,
      chat('Hello'),
      [{ turn: 0, tokenIds: ids, logprobs: ids.map(() => -1) }],
      where,
    );
    const last = seq.labelMask.lastIndexOf(1);
    expect(seq.inputIds[last + 1]).toBe(151645);
    expect(seq.labelMask[last + 1]).toBe(0);
    expect(qwen25.decode(seq.inputIds)).toBe(qwen25.applyChatTemplate(chat('Hello'), { addGenerationPrompt: true }));
  });

  it('Qwen3 template strips <think> from history: TemplateDriftError (assistant-content-rewritten)', () => {
    const text = '<think>plan</think> <answer>x</answer>';
    const ids = [...qwen3.encode(text), 151645];
    const run = () =>
      buildPromptSequence(qwen3, chat(text), [{ turn: 0, tokenIds: ids, logprobs: ids.map(() => 0) }], where);
    expect(run).toThrow(TemplateDriftError);
    try {
      run();
    } catch (e) {
      expect(TemplateDriftError.isInstance(e) && e.reason).toBe('assistant-content-rewritten');
    }
    // without think content the same template is append-only
    const plain = [...qwen3.encode('plain'), 151645];
    expect(() =>
      buildPromptSequence(qwen3, chat('plain'), [{ turn: 0, tokenIds: plain, logprobs: plain.map(() => 0) }], where),
    ).not.toThrow();
  });

  it('a not-sampled assistant message is tokenized as unlabelled prompt text', () => {
    const seq = buildPromptSequence(
      qwen25,
      chat('Given text'),
      [{ turn: 0, tokenIds: [], logprobs: [], notSampled: true }],
      where,
    );
    const render = qwen25.applyChatTemplate(chat('Given text'), { addGenerationPrompt: true });
    expect(seq.inputIds).toEqual(qwen25.encode(render));
    expect(seq.labelMask.every((m) => m === 0)).toBe(true);
  });

  it('a count mismatch between assistant messages and samples is a drift error', () => {
    expect(() => buildPromptSequence(qwen25, chat('x'), [], where)).toThrow(TemplateDriftError);
  });

  it('assertAppendOnly names the first differing token', () => {
    expect(() => assertAppendOnly([1, 2, 3], [1, 2, 3, 4], where)).not.toThrow();
    try {
      assertAppendOnly([1, 2, 3], [1, 9, 3, 4], where);
      expect.unreachable();
    } catch (e) {
      expect(TemplateDriftError.isInstance(e) && e.reason === 'prefix-mismatch' && e.index).toBe(1);
    }
  });
});

describe('runRollout with a non-append-only template', () => {
  it('raises TemplateDriftError on the attacker turn 1 (its think is stripped from history)', async () => {
    const attacker = new ScriptedGenerator({ tokenizer: qwen3, script: () => attackText(0) });
    const defender = new ScriptedGenerator({ tokenizer: qwen3, script: () => 'Reply' });
    const err = await runRollout({
      seeds: TEST_SEEDS,
      n: 1,
      attacker,
      defender,
      guard: new FakeGuard(),
      trainingRole: 'attacker',
      attackerPrompts: TEST_PROMPTS,
      config: { maxNumTurns: 2 },
    }).catch((e: unknown) => e);
    expect(TemplateDriftError.isInstance(err)).toBe(true);
    expect((err as TemplateDriftError).role).toBe('attacker');
    expect((err as TemplateDriftError).turn).toBe(1);
  });
});
