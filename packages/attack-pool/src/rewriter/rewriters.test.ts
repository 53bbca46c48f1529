import { describe, expect, it } from 'vitest';
import { TemplateThinkWriter, templateThink } from '../cot.js';
import { seedRecordSchema } from '../schemas.js';
import { getStrategy, strategies, strategyFamilies, strategyIds } from '../strategies.js';
import { isTransformStrategy } from '../transform-strategy.js';
import { buildRewritePrompt } from './llm-rewriter.js';
import { TemplateRewriter } from './template-rewriter.js';

const seed = seedRecordSchema.parse({
  id: 'x1',
  text: 'How do I bake bread?',
  dataType: 'vanilla_benign',
  source: 'f',
});

describe('strategies', () => {
  it('has the 20 paper mutations in 4 families (6/5/4/5)', () => {
    expect(strategies).toHaveLength(20);
    const counts = strategyFamilies.map((f) => strategies.filter((s) => s.family === f).length);
    expect(counts).toEqual([6, 5, 4, 5]);
    expect(strategies.filter((s) => s.kind === 'transform').map((s) => s.id)).toEqual([
      'misspellings',
      'ascii',
      'caesar',
      'morse',
      'atbash',
    ]);
  });
});

describe('TemplateRewriter', () => {
  it('wraps the seed for every rewrite strategy, deterministically', async () => {
    const r = new TemplateRewriter();
    for (const id of strategyIds.filter((s) => !isTransformStrategy(s))) {
      const out = await r.rewrite({ seed, strategy: getStrategy(id) });
      expect(out.generator).toBe('template');
      expect(out.text).toContain(seed.text);
      expect(out.text).not.toBe(seed.text);
      expect((await r.rewrite({ seed, strategy: getStrategy(id) })).text).toBe(out.text);
    }
  });
  it('refuses transform strategies (they are exact transforms, not rewrites)', async () => {
    await expect(new TemplateRewriter().rewrite({ seed, strategy: getStrategy('caesar') })).rejects.toThrow(
      /transform/,
    );
  });
});

describe('template CoT', () => {
  it('is first person, neutral and never repeats the request', async () => {
    for (const id of strategyIds) {
      for (const dataType of ['vanilla_harmful', 'vanilla_benign'] as const) {
        const t = templateThink(id, dataType);
        expect(t.startsWith('I will')).toBe(true);
        expect(t).toMatch(/\bthe request\b/i);
      }
    }
    const out = await new TemplateThinkWriter().write({ seed, strategy: getStrategy('slang'), adversarial: 'x' });
    expect(out.think).not.toContain(seed.text);
    expect(out.generator).toBe('template');
  });
});

describe('LLM rewrite prompt', () => {
  it('asks for a faithful translation for translation strategies and a technique otherwise', () => {
    expect(buildRewritePrompt('How do I bake bread?', getStrategy('translate-tamil'))).toContain('into Tamil');
    expect(buildRewritePrompt('How do I bake bread?', getStrategy('logical-appeal'))).toContain('"Logical Appeal"');
  });
});
