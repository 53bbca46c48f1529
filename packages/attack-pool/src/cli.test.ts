import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { chatCompletionBody, startOpenAICompatibleServer } from '@magic/openai-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCliArgs, parseStrategies, runCli } from './cli-run.js';
import { dataDir } from './data-dir.js';
import { loadAttackPool } from './pool.js';
import { readAttackRecords } from './pool-file.js';
import { alpacaRowSchema } from './schemas.js';

let dir: string;
let out: string[];
let err: string[];
const io = () => ({
  stdout: (l: string) => out.push(l),
  stderr: (l: string) => err.push(l),
  env: { MY_KEY: 'sk-test' },
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'attack-pool-cli-'));
  out = [];
  err = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const jbb = `jbb-benign:${dataDir('fixtures', 'jbb-behaviors-format.csv')}?limit=3`;

describe('magic-attack-pool --help', () => {
  it('prints every command to stdout and exits 0, alone or after a command', async () => {
    for (const argv of [['--help'], ['-h'], ['build', '--help'], ['export', '--help']]) {
      out = [];
      err = [];
      expect(await runCli(argv, io())).toBe(0);
      const text = out.join('\n');
      for (const cmd of ['magic-attack-pool build', 'magic-attack-pool export', 'magic-attack-pool classify'])
        expect(text).toContain(cmd);
      expect(err).toEqual([]);
    }
  });
});

describe('magic-attack-pool build', () => {
  it('template build over real seeds, then resume', async () => {
    const args = ['build', '--seeds', jbb, '--strategies', 'slang,morse', '--out', dir, '--gzip'];
    expect(await runCli(args, io())).toBe(0);
    expect(out.join('\n')).toContain('records 6 (built 6');
    expect(await runCli(args, io())).toBe(0);
    expect(out.join('\n')).toContain('built 0, resumed 6');
  });

  it('LLM build against a loopback endpoint sends the key from the named env var', async () => {
    const server = await startOpenAICompatibleServer({
      handler: () => ({ json: chatCompletionBody('A neutral rewrite.') }),
    });
    try {
      const args = [
        'build',
        '--seeds',
        jbb,
        '--strategies',
        'question-style',
        '--rewriter',
        'llm',
        '--think',
        'template',
      ];
      const code = await runCli(
        [...args, '--endpoint', server.url, '--model', 'rw', '--api-key-env', 'MY_KEY', '--out', dir],
        io(),
      );
      expect(code).toBe(0);
      expect(server.requests).toHaveLength(3);
      expect(at(server.requests, 0, 'requests').headers.authorization).toBe('Bearer sk-test');
      const records = readAttackRecords(join(dir, 'records.jsonl'));
      expect(records.every((r) => r.generator === 'llm' && r.adversarial === 'A neutral rewrite.')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('export writes the shipped pool as alpaca JSON and chat JSONL', async () => {
    const file = join(dir, 'val.alpaca.json');
    expect(await runCli(['export', '--format', 'alpaca', '--split', 'val', '--out', file], io())).toBe(0);
    const rows = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    expect(rows.length).toBe(loadAttackPool({ split: 'val' }).length);
    for (const row of rows) alpacaRowSchema.parse(row);
    const chat = join(dir, 'val.chat.jsonl');
    expect(await runCli(['export', '--format', 'chat', '--split', 'val', '--out', chat], io())).toBe(0);
    expect(readFileSync(chat, 'utf8').trim().split('\n')).toHaveLength(rows.length);
    expect(await runCli(['export', '--format', 'xml', '--out', file], io())).toBe(2);
  });

  it('classify labels records through a loopback endpoint and records failures', async () => {
    const replies = ['<answer>{"primary_strategy": 13, "all_strategies": [13]}</answer>', 'no idea'];
    const server = await startOpenAICompatibleServer({
      handler: (_r, i) => ({ json: chatCompletionBody(at(replies, i % 2, 'replies')) }),
    });
    try {
      const labels = join(dir, 'labels.jsonl');
      const inFile = dataDir('pool', 'val.jsonl.gz');
      const args = ['classify', '--in', inFile, '--out', labels, '--endpoint', server.url, '--model', 'cls'];
      expect(await runCli([...args, '--limit', '2', '--concurrency', '1'], io())).toBe(1);
      const lines = readFileSync(labels, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines[0].label.combinedCode).toBe('13');
      expect(lines[1].error).toContain('unusable');
    } finally {
      await server.close();
    }
  });

  it('usage errors exit 2', async () => {
    expect(await runCli(['build', '--out', dir], io())).toBe(2);
    expect(await runCli(['build', '--seeds', jbb, '--out', dir, '--rewriter', 'llm'], io())).toBe(2);
    expect(err.join('\n')).toContain('--endpoint');
    expect(await runCli(['build', '--seeds', jbb, '--out', dir, '--strategies', 'nope'], io())).toBe(2);
    expect(() => parseStrategies('slang,bogus')).toThrow(/bogus/);
    expect(parseCliArgs(['build', '--seeds', jbb, '--out', dir]).strategies).toBe('all');
  });
});
