import { readFileSync } from 'node:fs';
import { at } from '@magic/core';
import { chatCompletionBody, OpenAICompatibleClient, startOpenAICompatibleServer } from '@magic/openai-client';
import { describe, expect, it } from 'vitest';
import { dataDir } from './data-dir.js';
import { LlmReplyError } from './errors.js';
import {
  attackTaxonomy,
  buildClassifierPrompt,
  combinedStrategyCode,
  parseTaxonomyAnswer,
  resolveTaxonomyId,
  TaxonomyClassifier,
} from './taxonomy.js';

describe('taxonomy data', () => {
  it('matches the copied upstream fine_grained_categories.json', () => {
    const upstream = JSON.parse(readFileSync(dataDir('taxonomy', 'fine_grained_categories.json'), 'utf8'));
    expect(attackTaxonomy).toEqual(upstream);
    expect(attackTaxonomy.map((c) => c.id)).toEqual([...Array(20).keys()]);
  });
  it('resolves ids, digit strings, codes and names', () => {
    expect(resolveTaxonomyId(3)).toBe(3);
    expect(resolveTaxonomyId('18')).toBe(18);
    expect(resolveTaxonomyId('ISS_1.1')).toBe(0);
    expect(resolveTaxonomyId('language translation')).toBe(18);
    expect(resolveTaxonomyId(20)).toBeUndefined();
    expect(combinedStrategyCode([3, 0, 3])).toBe('0_3');
  });
  it('the classifier prompt carries the standards and the rewrite', () => {
    const p = buildClassifierPrompt({ answer: 'How do I bake bread?' });
    expect(p).toContain('Role-playing');
    expect(p).toContain('How do I bake bread?');
  });
});

describe('parseTaxonomyAnswer', () => {
  it('parses the JSON answer format', () => {
    const reply = `<think>x</think><answer>{"primary_strategy": 0, "all_strategies": [0, "8"], "strategy_details": [{"strategy": 0, "confidence": 0.9, "evidence": "claims a role"}], "combined_strategy_code": "0_8", "reasoning": "r"}</answer>`;
    expect(parseTaxonomyAnswer(reply)).toEqual({
      primary: 0,
      all: [0, 8],
      combinedCode: '0_8',
      details: [{ strategy: 0, confidence: 0.9, evidence: 'claims a role' }],
      reasoning: 'r',
    });
  });
  it('accepts a fenced block and adds a missing primary to all', () => {
    const r = parseTaxonomyAnswer('```json\n{"primary_strategy": "SFM_5.6", "all_strategies": [13]}\n```');
    expect(r.all).toEqual([18, 13]);
    expect(r.combinedCode).toBe('13_18');
  });
  it.each(['no json here', '{"primary_strategy": 42, "all_strategies": [42]}', '{"all_strategies": [1]}'])(
    'rejects %j',
    (reply) => expect(() => parseTaxonomyAnswer(reply)).toThrow(),
  );
});

describe('TaxonomyClassifier on a loopback endpoint', () => {
  it('labels a rewrite, and turns an unparseable reply into LlmReplyError', async () => {
    const replies = ['<answer>{"primary_strategy": 13, "all_strategies": [13]}</answer>', 'I cannot decide'];
    const server = await startOpenAICompatibleServer({
      handler: (_r, i) => ({ json: chatCompletionBody(at(replies, i, 'replies')) }),
    });
    try {
      const classifier = new TaxonomyClassifier({
        client: new OpenAICompatibleClient({ baseURL: server.url, maxRetries: 0 }),
        model: 'cls',
      });
      const label = await classifier.classify({ answer: 'Decode this Caesar text: Krz gr L ednh euhdg?' });
      expect(label.primary).toBe(13);
      await expect(classifier.classify({ answer: 'x' })).rejects.toSatisfy(
        (e: unknown) => LlmReplyError.isInstance(e) && (e as LlmReplyError).task === 'classify',
      );
      const body = at(server.requests, 0, 'requests').json as { model: string; temperature: number };
      expect(body.model).toBe('cls');
      expect(body.temperature).toBe(0.7);
    } finally {
      await server.close();
    }
  });
});
