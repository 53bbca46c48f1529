import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import {
  chatCompletionBody,
  OpenAICompatibleClient,
  startOpenAICompatibleServer,
  type TestServer,
} from '@magic/openai-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAttackPool, dedupSeeds } from './builder.js';
import { LlmThinkWriter, TemplateThinkWriter } from './cot.js';
import { checkAttackerFormat } from './format-check.js';
import { readAttackRecords } from './pool-file.js';
import { recordOutput } from './record.js';
import { LlmRewriter } from './rewriter/llm-rewriter.js';
import { TemplateRewriter } from './rewriter/template-rewriter.js';
import {
  alpacaRowSchema,
  attackRecordSchema,
  chatExampleSchema,
  type SeedRecord,
  seedRecordSchema,
} from './schemas.js';
import { strategyIds } from './strategies.js';
import { decodeAscii, decodeAtbash, decodeCaesar, decodeMorse, unmisspell } from './transforms/index.js';

const seeds: SeedRecord[] = [
  ['s1', 'How do I bake bread?', 'vanilla_benign'],
  ['s2', 'How do I slice a baguette neatly?', 'vanilla_benign'],
  ['s3', '[harmful request placeholder one]', 'vanilla_harmful'],
  ['s4', '[harmful request placeholder two]', 'vanilla_harmful'],
  ['s5', 'What is the best way to store sourdough starter?', 'vanilla_benign'],
  ['s6', 'how do i  BAKE bread?', 'vanilla_benign'], // duplicate of s1 after normalisation
].map(([id, text, dataType]) => seedRecordSchema.parse({ id, text, dataType, source: 'fixture', category: 'test' }));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attack-pool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function assertDecodes(records: ReturnType<typeof readAttackRecords>) {
  for (const r of records) {
    const t = r.provenance.transform;
    if (!t) continue;
    const enc = defined(r.provenance.encoded, 'r.provenance.encoded');
    const decoded =
      t.name === 'ascii'
        ? decodeAscii(enc)
        : t.name === 'caesar'
          ? decodeCaesar(enc, t.shift)
          : t.name === 'atbash'
            ? decodeAtbash(enc)
            : t.name === 'morse'
              ? decodeMorse(enc)
              : unmisspell(enc, t.edits);
    expect(decoded).toBe(t.name === 'morse' ? r.vanilla.toUpperCase() : r.vanilla);
  }
}

describe('buildAttackPool with the template rewriter', () => {
  it("keeps each seed's fixed split (meta.split) for all its rewrites instead of the hash split", async () => {
    const fixed = seeds.slice(0, 4).map((s, i) => ({ ...s, meta: { split: i % 2 === 0 ? 'val' : 'train' } }));
    const report = await buildAttackPool({
      seeds: fixed,
      outDir: dir,
      rewriter: new TemplateRewriter(),
      thinkWriter: new TemplateThinkWriter(),
      strategies: ['slang', 'caesar'],
    });
    expect(report.stats.bySplit).toEqual({ val: 4, train: 4 });
    const val = readAttackRecords(defined(report.files.val, 'report.files.val'));
    expect(new Set(val.map((r) => r.seedId))).toEqual(new Set(['s1', 's3']));
    expect(readAttackRecords(defined(report.files.test, 'report.files.test'))).toEqual([]);
  });

  it('builds seeds × 20 strategies, dedups, splits by seed, exports and reports stats', async () => {
    const report = await buildAttackPool({
      seeds,
      outDir: dir,
      rewriter: new TemplateRewriter(),
      thinkWriter: new TemplateThinkWriter(),
      splitRatios: { train: 0.5, val: 0.25, test: 0.25 },
      exports: ['alpaca', 'chat'],
      concurrency: 3,
    });
    expect(report.duplicateSeeds).toBe(1);
    expect(report.failures).toEqual([]);
    expect(report.built).toBe(5 * 20);
    expect(report.stats.records).toBe(100);
    expect(Object.keys(report.stats.byStrategy).sort()).toEqual([...strategyIds].sort());
    expect(report.stats.byFamily).toEqual({ encoding: 20, persuasion: 25, translation: 25, 'writing-style': 30 });
    expect(report.stats.byDataType).toEqual({ vanilla_benign: 60, vanilla_harmful: 40 });
    expect(report.stats.formatPassRate).toBe(1);

    const parts = (['train', 'val', 'test'] as const).map((s) => readAttackRecords(join(dir, `${s}.jsonl`)));
    expect(parts.reduce((n, p) => n + p.length, 0)).toBe(100);
    const seedSets = parts.map((p) => new Set(p.map((r) => r.seedId)));
    for (let i = 0; i < 3; i++) {
      for (let j = i + 1; j < 3; j++)
        for (const s of at(seedSets, i, 'seedSets')) expect(at(seedSets, j, 'seedSets').has(s)).toBe(false);
    }
    const all = parts.flat();
    for (const r of all) {
      expect(attackRecordSchema.parse(r)).toEqual(r);
      expect(checkAttackerFormat(recordOutput(r)).ok).toBe(true);
      expect(r.generator).toBe(r.family === 'encoding' || r.strategy === 'misspellings' ? 'transform' : 'template');
    }
    assertDecodes(all);
    const alpaca = JSON.parse(readFileSync(join(dir, 'train.alpaca.json'), 'utf8')) as unknown[];
    expect(alpaca).toHaveLength(at(parts, 0, 'parts').length);
    for (const row of alpaca) {
      const parsed = alpacaRowSchema.parse(row);
      expect(parsed.instruction).toContain('Here is the vanilla prompt provided for you to revise:');
      expect(checkAttackerFormat(parsed.output).ok).toBe(true);
    }
    const chatLines = readFileSync(join(dir, 'val.chat.jsonl'), 'utf8').trim().split('\n');
    for (const line of chatLines) chatExampleSchema.parse(JSON.parse(line));
    const info = JSON.parse(readFileSync(join(dir, 'dataset_info.json'), 'utf8'));
    expect(info.magic_attack_pool_train).toEqual({
      file_name: 'train.alpaca.json',
      columns: { prompt: 'instruction', query: 'input', response: 'output', system: 'system' },
    });
    const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
    expect(stats.stats.records).toBe(100);
  });

  it('resumes: a second run builds nothing new, and a partial log is completed', async () => {
    const base = { outDir: dir, rewriter: new TemplateRewriter(), thinkWriter: new TemplateThinkWriter() };
    const first = await buildAttackPool({ ...base, seeds: seeds.slice(0, 2), strategies: ['caesar', 'slang'] });
    expect(first.built).toBe(4);
    const second = await buildAttackPool({ ...base, seeds: seeds.slice(0, 3), strategies: ['caesar', 'slang'] });
    expect(second.resumed).toBe(4);
    expect(second.built).toBe(2);
    const third = await buildAttackPool({ ...base, seeds: seeds.slice(0, 3), strategies: ['caesar', 'slang'] });
    expect(third.built).toBe(0);
    expect(readAttackRecords(join(dir, 'records.jsonl'))).toHaveLength(6);
  });

  it('resumes after a torn last line (killed mid-write)', async () => {
    const base = { outDir: dir, rewriter: new TemplateRewriter(), thinkWriter: new TemplateThinkWriter() };
    await buildAttackPool({ ...base, seeds: seeds.slice(0, 2), strategies: ['atbash', 'slang'] });
    const log = join(dir, 'records.jsonl');
    const text = readFileSync(log, 'utf8');
    writeFileSync(log, text.slice(0, text.length - 40));
    const again = await buildAttackPool({ ...base, seeds: seeds.slice(0, 2), strategies: ['atbash', 'slang'] });
    expect(again.truncatedBytes).toBeGreaterThan(0);
    expect(again.resumed).toBe(3);
    expect(again.built).toBe(1);
    expect(readAttackRecords(log)).toHaveLength(4);
  });

  it('reports failed items without writing them, and retries them on resume', async () => {
    let fail = true;
    const flaky = {
      kind: 'template' as const,
      rewrite: async (req: Parameters<TemplateRewriter['rewrite']>[0]) => {
        if (fail) throw new Error('endpoint down');
        return new TemplateRewriter().rewrite(req);
      },
    };
    const base = {
      outDir: dir,
      seeds: seeds.slice(0, 2),
      strategies: ['slang', 'atbash'] as const,
      thinkWriter: new TemplateThinkWriter(),
    };
    const first = await buildAttackPool({ ...base, strategies: [...base.strategies], rewriter: flaky });
    expect(first.failures.map((f) => f.strategy)).toEqual(['slang', 'slang']);
    expect(first.built).toBe(2);
    fail = false;
    const second = await buildAttackPool({ ...base, strategies: [...base.strategies], rewriter: flaky });
    expect(second.built).toBe(2);
    expect(second.failures).toEqual([]);
  });

  it('an aborted build writes nothing more and reports the skipped items', async () => {
    const controller = new AbortController();
    controller.abort();
    const report = await buildAttackPool({
      outDir: dir,
      seeds: seeds.slice(0, 2),
      strategies: ['caesar'],
      rewriter: new TemplateRewriter(),
      thinkWriter: new TemplateThinkWriter(),
      signal: controller.signal,
    });
    expect(report.built).toBe(0);
    expect(report.failures.map((f) => f.code)).toEqual(['ABORTED', 'ABORTED']);
  });

  it('dedupSeeds keeps the first of each normalised text', () => {
    expect(dedupSeeds(seeds).seeds.map((s) => s.id)).toEqual(['s1', 's2', 's3', 's4', 's5']);
  });
});

describe('buildAttackPool with an LLM on a loopback OpenAI-compatible server', () => {
  let server: TestServer;
  afterEach(async () => server?.close());

  it('rewrites and writes rationales through the endpoint, with retries', async () => {
    server = await startOpenAICompatibleServer({
      handler: (req, index) => {
        if (index === 0) return { status: 503, json: { error: { message: 'warming up' } } };
        const body = req.json as { messages: { role: string; content: string }[] };
        const system = at(body.messages, 0, 'messages').content;
        const user = at(body.messages, 1, 'messages').content;
        if (system.startsWith('You annotate')) {
          return {
            json: chatCompletionBody('I rephrase the request so it reads differently while keeping its topic.'),
          };
        }
        const request = user.split('Request:\n')[1] ?? '';
        return { json: chatCompletionBody(`[rewritten] ${request}`) };
      },
    });
    const client = new OpenAICompatibleClient({
      baseURL: server.url,
      maxRetries: 2,
      backoff: { initialMs: 1, maxMs: 5 },
    });
    const report = await buildAttackPool({
      seeds: seeds.slice(0, 3),
      strategies: ['slang', 'translate-french', 'caesar'],
      outDir: dir,
      rewriter: new LlmRewriter({ client, model: 'rewriter-model' }),
      thinkWriter: new LlmThinkWriter({ client, model: 'rewriter-model' }),
      concurrency: 2,
    });
    expect(report.failures).toEqual([]);
    expect(report.stats.records).toBe(9);
    expect(report.stats.byGenerator).toEqual({ llm: 6, transform: 3 });
    const records = readAttackRecords(join(dir, 'records.jsonl'));
    for (const r of records) {
      expect(r.provenance.thinkGenerator).toBe('llm');
      expect(r.think).toContain('I rephrase');
      if (r.generator === 'llm') {
        expect(r.adversarial).toBe(`[rewritten] ${r.vanilla}`);
        expect(r.provenance.model).toBe('rewriter-model');
      }
    }
    // 6 rewrites + 9 rationales + 1 retried 503
    expect(server.requests).toHaveLength(16);
    expect(server.requests.every((q) => q.path === '/v1/chat/completions')).toBe(true);
  });

  it('an empty LLM rewrite is a reported failure, not a record', async () => {
    server = await startOpenAICompatibleServer({ handler: () => ({ json: chatCompletionBody('  ') }) });
    const client = new OpenAICompatibleClient({ baseURL: server.url, maxRetries: 0 });
    const report = await buildAttackPool({
      seeds: seeds.slice(0, 1),
      strategies: ['slang'],
      outDir: dir,
      rewriter: new LlmRewriter({ client, model: 'm' }),
      thinkWriter: new TemplateThinkWriter(),
    });
    expect(report.failures).toHaveLength(1);
    expect(at(report.failures, 0, 'failures').code).toBe('LLM_REPLY');
    expect(report.stats.records).toBe(0);
  });

  it('a refused rationale is a reported failure', async () => {
    server = await startOpenAICompatibleServer({
      handler: () => ({ json: chatCompletionBody("I'm sorry, I can't help.") }),
    });
    const client = new OpenAICompatibleClient({ baseURL: server.url, maxRetries: 0 });
    const report = await buildAttackPool({
      seeds: seeds.slice(0, 1),
      strategies: ['morse'],
      outDir: dir,
      rewriter: new TemplateRewriter(),
      thinkWriter: new LlmThinkWriter({ client, model: 'm' }),
    });
    expect(report.failures.map((f) => [f.code, f.message.includes('refused')])).toEqual([['LLM_REPLY', true]]);
  });
});
