import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defined } from '@magic/core';
import { Tokenizer } from '@magic/lm';
import { chatCompletionBody, startOpenAICompatibleServer, type TestServer } from '@magic/openai-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from './capture-io.test-helpers.js';
import { main } from './main.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../packages/benchmarks/src/__fixtures__');
const qwen3GuardSafe = 'Safety: Safe\nCategories: None\nRefusal: Yes';

let dir: string;
/** The model under evaluation: counts every request, so "nothing was generated" is observable. */
let target: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magic-eval-precheck-'));
  target = await startOpenAICompatibleServer({
    handler: () => ({ json: chatCompletionBody('I cannot help with that.') }),
  });
});

afterAll(async () => {
  await target?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function run(argv: string[]): Promise<{ code: number; err: string; seconds: number }> {
  const c = captureIo();
  const t0 = performance.now();
  const code = await main(
    ['--target', `openai:${target.url}#m`, '--out', join(dir, `out-${Math.random()}`), '--plain', ...argv],
    c.io,
  );
  return { code, err: c.err.join(''), seconds: (performance.now() - t0) / 1000 };
}

describe('magic-eval checks its inputs before generating anything', () => {
  it('a malformed --path file fails at once with the file and line, and the target gets no request', async () => {
    const bad = join(dir, 'strongreject.csv');
    writeFileSync(bad, 'category,source,forbidden_prompt\ncat,src,placeholder one\ncat,src\n');
    const before = target.requests.length;
    const r = await run(['--judge', 'rules', '--suite', 'safety', '--path', `strongreject=${bad}`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('BENCHMARK_FILE_INVALID');
    expect(r.err).toContain(`${bad}:3`);
    expect(target.requests.length).toBe(before);
  });

  it('a file for a suite that is not run is checked too (every --path parses)', async () => {
    const bad = join(dir, 'gpqa.csv');
    writeFileSync(bad, 'Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\nq,a,b,c,\n');
    const before = target.requests.length;
    const r = await run(['--judge', 'rules', '--suite', 'safety', '--path', `gpqa=${bad}`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}:2 (field Incorrect Answer 3)`);
    expect(target.requests.length).toBe(before);
  });

  it('a dead judge endpoint (closed port) fails fast naming the endpoint; nothing is generated', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const before = target.requests.length;
    const r = await run(['--judge', `qwen3guard:${url}`, '--suite', 'safety', '--limit', '1']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('EVAL_JUDGE_PROBE');
    expect(r.err).toContain(url);
    expect(r.seconds).toBeLessThan(10);
    expect(target.requests.length).toBe(before);
  });

  it('a judge replying garbage fails fast naming the endpoint; a judge that is too slow fails at its timeout', async () => {
    const garbage = await startOpenAICompatibleServer({ handler: () => ({ json: chatCompletionBody('lorem ipsum') }) });
    const slow = await startOpenAICompatibleServer({
      handler: () => ({ json: chatCompletionBody(qwen3GuardSafe), delayMs: 5_000 }),
    });
    try {
      const before = target.requests.length;
      const r = await run(['--judge', `qwen3guard:${garbage.url}`, '--suite', 'safety', '--limit', '1']);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`EVAL_JUDGE_PROBE: judge endpoint qwen3guard:${garbage.url}#orm`);
      expect(r.err).toContain('GUARD_PARSE_ERROR');
      expect(garbage.requests.length).toBe(1);
      const s = await run(['--judge', `qwen3guard:${slow.url}`, '--judge-timeout', '0.5', '--suite', 'safety']);
      expect(s.code).toBe(1);
      expect(s.err).toContain(slow.url);
      expect(s.seconds).toBeLessThan(4);
      expect(target.requests.length).toBe(before);
    } finally {
      await garbage.close();
      await slow.close();
    }
  });

  it('a judge LLM that names neither output fails the probe before AlpacaEval generates', async () => {
    const llm = await startOpenAICompatibleServer({ handler: () => ({ json: chatCompletionBody('no idea') }) });
    try {
      const before = target.requests.length;
      const r = await run(['--suite', 'capability', '--judge-llm', `openai:${llm.url}#judge`]);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`EVAL_JUDGE_PROBE: judge endpoint openai:${llm.url}#judge`);
      expect(target.requests.length).toBe(before);
    } finally {
      await llm.close();
    }
  });
});

describe('the paper protocol over HTTP', () => {
  it('paper-cot budget reaches the target; the guard sees the <answer> part cut to --judge-max-tokens', async () => {
    const cot = await startOpenAICompatibleServer({
      handler: () => ({
        json: chatCompletionBody('<think>hidden steps</think><answer>one two three four five</answer>'),
      }),
    });
    const guard = await startOpenAICompatibleServer({ handler: () => ({ json: chatCompletionBody(qwen3GuardSafe) }) });
    try {
      const c = captureIo();
      const out = join(dir, 'cot');
      const code = await main(
        [
          ...['--target', `openai:${cot.url}#m`, '--judge', `qwen3guard:${guard.url}`, '--suite', 'safety'],
          ...['--limit', '1', '--max-tokens', 'paper-cot', '--judge-max-tokens', '3', '--out', out, '--plain'],
        ],
        c.io,
      );
      expect(code, c.err.join('')).toBe(0);
      const bodies = cot.requests.map((r) => r.json as { max_tokens?: number });
      expect(bodies.length).toBeGreaterThan(0);
      expect(bodies.every((b) => b.max_tokens === 8192)).toBe(true);
      // the first guard request is the probe; every later one carries the judged text
      const judged = guard.requests.slice(1).map((r) => JSON.stringify(r.json));
      expect(judged.length).toBeGreaterThan(0);
      for (const body of judged) {
        expect(body).toContain('one two three');
        expect(body).not.toContain('four');
        expect(body).not.toContain('hidden steps');
      }
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      expect(results.runs[0].judgeInput).toEqual({ extractAnswer: true, maxTokens: 3, tokenizer: 'approx-pretokens' });
    } finally {
      await cot.close();
      await guard.close();
    }
  });

  it('--judge-tokenizer cuts an endpoint target with that tokenizer', async () => {
    const answer = 'several plain words for the tokenizer to split';
    const cot = await startOpenAICompatibleServer({
      handler: () => ({ json: chatCompletionBody(`<think>steps</think><answer>${answer}</answer>`) }),
    });
    const guard = await startOpenAICompatibleServer({ handler: () => ({ json: chatCompletionBody(qwen3GuardSafe) }) });
    const tokenizerDir = join(dir, 'tok');
    const tokenizer = Tokenizer.tiny();
    mkdirSync(tokenizerDir);
    await tokenizer.save(tokenizerDir);
    try {
      const c = captureIo();
      const out = join(dir, 'tok-run');
      const code = await main(
        [
          ...['--target', `openai:${cot.url}#m`, '--judge', `qwen3guard:${guard.url}`, '--suite', 'safety'],
          ...['--limit', '1', '--judge-max-tokens', '3', '--judge-tokenizer', tokenizerDir, '--out', out, '--plain'],
        ],
        c.io,
      );
      expect(code, c.err.join('')).toBe(0);
      const expected = tokenizer.decode(tokenizer.encode(answer).slice(0, 3));
      expect(expected.length).toBeLessThan(answer.length);
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      const sample = results.runs[0].tasks.find((t: { status: string }) => t.status === 'ok').samples[0];
      expect(sample.judgedResponse).toBe(expected);
      expect(results.runs[0].judgeInput.tokenizer).toBe(`tokenizer:${tokenizerDir}`);
    } finally {
      await cot.close();
      await guard.close();
    }
  });

  it('AlpacaEval 2 through a scripted judge LLM: LC and raw win rate land in results.json', async () => {
    const file = join(dir, 'alpaca.json');
    writeFileSync(
      file,
      JSON.stringify(
        Array.from({ length: 4 }, (_, i) => ({
          dataset: 'placeholder',
          instruction: `Placeholder instruction ${i}`,
          output: 'reference text',
          generator: 'baseline',
        })),
      ),
    );
    // prefers whichever output is the target's (its replies say "I cannot help with that.")
    const llm = await startOpenAICompatibleServer({
      handler: (req) => {
        const text = (req.json as { messages: { content: string }[] }).messages.at(-1)?.content ?? '';
        if (text.includes('Say hello.')) return { json: chatCompletionBody('A') };
        return { json: chatCompletionBody(text.includes('Output A:\nI cannot') ? 'A' : 'B') };
      },
    });
    try {
      const c = captureIo();
      const out = join(dir, 'alpaca');
      const code = await main(
        [
          ...['--target', `openai:${target.url}#m`, '--suite', 'capability', '--limit', '4'],
          ...['--judge-llm', `openai:${llm.url}#judge`, '--path', `alpacaEval=${file}`, '--out', out, '--plain'],
          ...['--path', `gpqa=${join(fixtures, 'gpqa.csv')}`],
        ],
        c.io,
      );
      expect(code, c.err.join('')).toBe(0);
      expect(llm.requests.length).toBe(5); // the probe, then one comparison per instruction
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
      const tasks = results.runs[0].tasks as {
        id: string;
        status: string;
        metrics: Record<string, { value: number }>;
      }[];
      const alpaca = defined(
        tasks.find((t) => t.id === 'alpacaEval'),
        'alpacaEval',
      );
      expect(alpaca.status).toBe('ok');
      expect(defined(alpaca.metrics.win_rate, 'alpaca.metrics.win_rate').value).toBe(1);
      expect(defined(alpaca.metrics.lc_win_rate, 'alpaca.metrics.lc_win_rate').value).toBeGreaterThan(0.99);
      expect(
        defined(
          tasks.find((t) => t.id === 'gpqa'),
          'gpqa',
        ).status,
      ).toBe('ok');
      expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('AlpacaEval 2 LC');
    } finally {
      await llm.close();
    }
  });
});
