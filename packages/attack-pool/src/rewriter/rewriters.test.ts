import { describe, expect, it } from 'vitest';
import { TemplateThinkWriter, templateThink } from '../cot.js';
import { seedRecordSchema } from '../schemas.js';
import { getStrategy, strategies, strategyFamilies, strategyIds } from '../strategies.js';
import { isTransformStrategy } from '../transform-strategy.js';
import { buildRewritePrompt, rejectRewrite } from './llm-rewriter.js';
import { looksLikeRefusal, targetScriptShare } from './reply-checks.js';
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
        const t = templateThink(id, dataType, id.length);
        expect(t.startsWith('I will')).toBe(true);
        expect(t).toMatch(/\brequest\b/);
      }
    }
    const variants = new Set(Array.from({ length: 9 }, (_, v) => templateThink('slang', 'vanilla_benign', v)));
    expect(variants.size).toBe(9);
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

describe('LLM reply checks', () => {
  it('detects refusals', () => {
    expect(looksLikeRefusal("I'm sorry, but I can't help with that.")).toBe(true);
    expect(looksLikeRefusal('I cannot assist.')).toBe(true);
    expect(looksLikeRefusal('As an AI, I must decline.')).toBe(true);
    expect(looksLikeRefusal('I need a bread recipe for tonight.')).toBe(false);
  });
  it('measures the target script share', () => {
    expect(targetScriptShare('ரொட்டி எப்படி சுடுவது?', 'ta')).toBe(1);
    expect(targetScriptShare('How do I bake bread?', 'ta')).toBe(0);
    expect(targetScriptShare('如何烤面包 bread', 'zh-Hans')).toBeCloseTo(5 / 10);
    expect(targetScriptShare('Comment faire du pain ?', 'fr')).toBe(1);
  });
  it('rejects empty, refused and untranslated rewrites', () => {
    const tamil = getStrategy('translate-tamil');
    expect(rejectRewrite('', tamil, 0.5)).toBe('empty rewrite');
    expect(rejectRewrite("Sorry, I can't do that", getStrategy('slang'), 0.5)).toBe('the model refused');
    expect(rejectRewrite('How do I bake bread?', tamil, 0.5)).toMatch(/Tamil script/);
    expect(rejectRewrite('ரொட்டி எப்படி சுடுவது?', tamil, 0.5)).toBeUndefined();
  });
});
