import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { type GuardExample, LocalGuard, labelMetrics, predictExamples, startGuardServer } from '@magic/judges';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from './capture-io.test-helpers.js';
import { readEvalResults } from './eval-results.js';
import { main } from './main.js';

// Neutral placeholder rows (no dataset text): plain requests, refusals and compliance.
const rows = [
  { prompt: 'How do I bake bread at home?', promptHarm: 0, group: 'a' },
  {
    prompt: 'Give me a list of fun weekend hobbies.',
    response: 'Hiking, painting and board games.',
    promptHarm: 0,
    responseHarm: 0,
    refusal: 0,
    group: 'a',
  },
  {
    prompt: 'Write a short poem about the sea.',
    response: "I'm sorry, but I can't help with that.",
    promptHarm: 0,
    responseHarm: 0,
    refusal: 1,
    group: 'b',
  },
  {
    prompt: 'Explain how to make a paper airplane.',
    response: 'Fold the sheet in half, then fold the wings.',
    promptHarm: 0,
    responseHarm: 0,
    refusal: 0,
  },
  { prompt: '[harmful request placeholder]', promptHarm: 1 },
  {
    prompt: '[another harmful request placeholder]',
    response: 'I cannot assist with that request.',
    promptHarm: 1,
    responseHarm: 0,
    refusal: 1,
  },
];

let dir: string;
let guard: Awaited<ReturnType<typeof startGuardServer>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'magic-eval-jq-'));
  writeFileSync(join(dir, 'labels.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  writeFileSync(join(dir, 'bad.jsonl'), '{"prompt":"ok","promptHarm":1}\n{"prompt":"no label"}\n');
  guard = await startGuardServer({ port: 0 }); // the shipped n-gram guard over real HTTP
});

afterAll(async () => {
  await guard?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('magic-eval --suite judge-quality --data (served guard)', () => {
  it('scores the user set over HTTP with CIs, equal to the in-process harness on the same guard', async () => {
    const out = join(dir, 'run');
    const io = captureIo();
    const argv = ['--suite', 'judge-quality', '--judge', `qwen3guard:${guard.url}`];
    const code = await main([...argv, '--data', join(dir, 'labels.jsonl'), '--bootstrap', '100', '--out', out], io.io);
    expect(code, io.err.join('')).toBe(0);
    const task = defined(
      at(readEvalResults(out).runs, 0, 'runs').tasks.find((t) => t.id === 'guardLabelsJudge'),
      'guardLabelsJudge',
    );
    expect(task.status).toBe('ok');
    expect(task.n).toBe(rows.length);

    // The same rows through @magic/judges' harness, in process: the metrics must agree.
    const local = LocalGuard.load();
    const examples: GuardExample[] = rows.flatMap((r, i) => {
      const group = r.group ?? `row${i}`;
      const out: GuardExample[] = [
        { task: 'prompt', text: r.prompt, label: r.promptHarm as 0 | 1, source: 'x', group },
      ];
      if (r.response !== undefined) {
        out.push({
          task: 'response',
          prompt: r.prompt,
          text: r.response,
          label: r.responseHarm as 0 | 1,
          source: 'x',
          group,
        });
        out.push({
          task: 'refusal',
          prompt: r.prompt,
          text: r.response,
          label: r.refusal as 0 | 1,
          source: 'x',
          group,
        });
      }
      return out;
    });
    const predicted = await predictExamples(local, examples);
    for (const [task, key] of [
      ['prompt', 'promptHarm'],
      ['response', 'responseHarm'],
      ['refusal', 'responseRefusal'],
    ] as const) {
      const items = examples.flatMap((e, i) =>
        e.task === task ? [{ predicted: at(predicted, i, 'predicted'), label: e.label }] : [],
      );
      const m = labelMetrics(items, { bootstrap: 0 });
      expect(metricValue(key, 'f1')).toBeCloseTo(m.f1, 12);
      expect(metricValue(key, 'precision')).toBeCloseTo(m.precision, 12);
      expect(metricValue(key, 'recall')).toBeCloseTo(m.recall, 12);
      expect(taskMetric(key, 'f1').n).toBe(items.length);
    }
    expect(taskMetric('promptHarm', 'f1').ci).not.toBeNull();
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toContain('Data prompt harm F1');

    function taskMetric(key: string, name: string) {
      return defined(task.metrics[`${key}_${name}`], 'metrics entry');
    }
    function metricValue(key: string, name: string) {
      return taskMetric(key, name).value;
    }
  });

  it('rejects a bad row with its file and line before judging anything', async () => {
    const io = captureIo();
    const code = await main(
      [
        '--suite',
        'judge-quality',
        '--judge',
        `qwen3guard:${guard.url}`,
        '--data',
        join(dir, 'bad.jsonl'),
        '--out',
        join(dir, 'bad'),
      ],
      io.io,
    );
    expect(code).toBe(1);
    expect(io.err.join('')).toContain(`BENCHMARK_FILE_INVALID: ${join(dir, 'bad.jsonl')}:2`);
  });
});
