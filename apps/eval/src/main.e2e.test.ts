import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runResultsSchema, suiteNames } from '@magic/benchmarks';
import { defined } from '@magic/core';
import { startGuardServer } from '@magic/judges';
import { CausalLM } from '@magic/lm';
import { chatCompletionBody, startOpenAICompatibleServer, type TestServer } from '@magic/openai-client';
import { initBackend } from '@magic/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from './capture-io.test-helpers.js';
import { readEvalResults } from './eval-results.js';
import { main } from './main.js';
import { type ServedCheckpoint, serveCheckpoint } from './serve.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/benchmarks/src/__fixtures__');
const fixturePaths = [
  `wildguardtest=${join(fixtures, 'wildguardtest.csv')}`,
  `orBenchToxic=${join(fixtures, 'or-bench-hard.csv')}`,
  `orBenchHard=${join(fixtures, 'or-bench-hard.csv')}`,
  `strongreject=${join(fixtures, 'strongreject.csv')}`,
  `openaiModeration=${join(fixtures, 'openai-moderation.jsonl')}`,
  `guardLabels=${join(fixtures, 'guard-labels.jsonl')}`,
  `cosafe=${join(fixtures, 'cosafe')}`,
].flatMap((p) => ['--path', p]);

let dir: string;
let served: ServedCheckpoint;
let guard: Awaited<ReturnType<typeof startGuardServer>>;
let agents: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magic-eval-e2e-'));
  await initBackend({ device: 'wasm' });
  const lm = await CausalLM.fromPreset('tiny', { seed: 0 });
  await lm.save(join(dir, 'ckpt'));
  lm.dispose();
  served = await serveCheckpoint({
    model: join(dir, 'ckpt'),
    modelName: 'tiny',
    host: '127.0.0.1',
    port: 0,
    device: 'wasm',
    apiKey: undefined,
    maxBatch: 16,
    batchWindowMs: 5,
    maxTokens: 512,
  });
  guard = await startGuardServer({ port: 0 }); // the shipped local guard, answering in the Qwen3Guard format
  // planner / attacker / scorer for X-Teaming: a scripted OpenAI-compatible server
  agents = await startOpenAICompatibleServer({
    handler: (req) => {
      const body = req.json as { messages: { content: string }[] };
      const text = body.messages.at(-1)?.content ?? '';
      if (text.includes('Reply with JSON only')) return { json: chatCompletionBody('{"plans": ["a friendly chat"]}') };
      if (text.includes('Rate how fully')) return { json: chatCompletionBody('Score: 1. It did not.') };
      return { json: chatCompletionBody('Could you tell me more about gardening?') };
    },
  });
});

afterAll(async () => {
  await served?.close();
  await guard?.close();
  await agents?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('magic-eval end to end (served checkpoint + guard server)', () => {
  it('runs every suite over HTTP, writes results.json/md/html, and a rerun generates nothing', async () => {
    const out = join(dir, 'run');
    const argv = [
      '--target',
      `openai:${served.server.url}#tiny`,
      '--judge',
      `qwen3guard:${guard.url}`,
      '--suite',
      'all',
      '--limit',
      '2',
      '--max-tokens',
      '4',
      '--planner',
      `openai:${agents.url}#planner`,
      '--attacker',
      `openai:${agents.url}#attacker`,
      '--xteaming-plans',
      '1',
      '--xteaming-turns',
      '1',
      '--bootstrap',
      '200',
      '--out',
      out,
      ...fixturePaths,
    ];
    const first = captureIo();
    expect(await main(argv, first.io), first.err.join('')).toBe(0);
    expect(served.server.stats.chatRequests).toBeGreaterThan(0);
    expect(agents.requests.length).toBeGreaterThan(0);

    const raw = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { runs: unknown[] };
    const runs = raw.runs.map((r) => runResultsSchema.parse(r));
    expect(runs.map((r) => r.suite)).toEqual([...suiteNames]);
    for (const run of runs)
      expect(
        run.tasks.some((t) => t.status === 'ok'),
        run.suite,
      ).toBe(true);
    const multi = defined(
      runs.find((r) => r.suite === 'multi-turn'),
      'turn',
    );
    expect(multi.tasks.map((t) => [t.id, t.status])).toEqual([
      ['xTeaming', 'ok'],
      ['cosafe', 'ok'],
    ]);
    const judgeQuality = defined(
      runs.find((r) => r.suite === 'judge-quality'),
      'quality',
    );
    expect(judgeQuality.tasks.every((t) => t.status === 'ok')).toBe(true);
    expect(runs.reduce((s, r) => s + r.stats.generated, 0)).toBeGreaterThan(0);
    expect(readEvalResults(out).meta.judge).toContain('qwen3guard');

    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toContain('| model | WG adv ↓ | WG van ↓ | WJB adv ↓ |');
    expect(md).toContain('| model | IFEval prompt-loose ↑ |');
    expect(md).toContain('**Table 4: multi-turn (ASR ↓)**');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Adversarial vs vanilla');
    expect(html).toContain('class="ci"');
    expect(first.err.join('')).toMatch(/\[safety\] wjbAdv generate .* 2\/2/);

    // rerun into the same folder: every generation comes from generations.jsonl
    const modelRequests = served.server.stats.chatRequests;
    const agentRequests = agents.requests.length;
    const second = captureIo();
    expect(await main(argv, second.io), second.err.join('')).toBe(0);
    expect(served.server.stats.chatRequests).toBe(modelRequests);
    expect(agents.requests.length).toBe(agentRequests);
    const rerun = readEvalResults(out);
    expect(rerun.runs.reduce((s, r) => s + r.stats.generated, 0)).toBe(0);
    // (the first run already reused some: XSTest and WJB benign are in both safety and over-refusal)
    const firstTotal = runs.reduce((s, r) => s + r.stats.generated + r.stats.cached, 0);
    expect(rerun.runs.reduce((s, r) => s + r.stats.cached, 0)).toBe(firstTotal);
    expect(second.out.join('')).toMatch(/generations 0 new/);
  });

  it('evaluates a local checkpoint directly (log-likelihood multiple choice, rules judge)', async () => {
    const out = join(dir, 'local');
    const io = captureIo();
    const code = await main(
      [
        '--target',
        `local:${join(dir, 'ckpt')}`,
        '--judge',
        'rules',
        '--suite',
        'capability,over-refusal',
        '--limit',
        '2',
        '--max-tokens',
        '4',
        '--device',
        'wasm',
        '--bootstrap',
        '100',
        '--out',
        out,
      ],
      io.io,
    );
    expect(code, io.err.join('')).toBe(0);
    const results = readEvalResults(out);
    expect(results.meta.backend).toBe('wasm');
    expect(results.meta.target).toMatch(/^local:.*ckpt@[0-9a-f]{12}$/);
    const capability = defined(
      results.runs.find((r) => r.suite === 'capability'),
      'capability',
    );
    const arc = defined(
      capability.tasks.find((t) => t.id === 'arc'),
      'arc',
    );
    expect(arc.status).toBe('ok');
    // scored by log-likelihood: no generated text, and every item has a predicted letter
    expect(arc.samples.every((s) => s.response === null)).toBe(true);
    expect(arc.samples.every((s) => typeof s.detail?.['predicted'] === 'string')).toBe(true);
    expect(arc.parseFailures).toBe(0);
    const overRefusal = defined(
      results.runs.find((r) => r.suite === 'over-refusal'),
      'refusal',
    );
    expect(overRefusal.tasks.find((t) => t.id === 'xstest')?.status).toBe('ok');
    expect(overRefusal.tasks.find((t) => t.id === 'orBenchHard')?.status).toBe('skipped');
  });
});
