import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { Tokenizer } from '@magic/lm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusInputError, VocabMismatchError } from '../errors.js';
import { trainLogLineSchema } from './run-stage.js';
import { readTokenStore, writeChatTokenStore, writeTokenStore } from './token-store.js';

const APP = join(import.meta.dirname, '..', '..');
const TOKENIZER = join(APP, 'data', 'tokenizer-s');
const CLI = join(APP, 'src', 'cli.ts');

// Neutral placeholder text only.
const prose = Array.from({ length: 30 }, (_, i) => ({
  source: 'fixture',
  text: `Section ${i}. The quick brown fox jumps over the lazy dog ${i} times while the river flows to the sea.`,
}));
const chat = (q: string, a: string) => ({
  source: 'fixture',
  messages: [
    { role: 'user', content: q },
    { role: 'assistant', content: a },
  ],
});
const train = Array.from({ length: 24 }, (_, i) => chat(`What is ${i} plus ${i}?`, `${i} plus ${i} is ${2 * i}.`));
const heldout = Array.from({ length: 4 }, (_, i) => chat(`Name colour number ${i}.`, `Colour number ${i} is blue.`));
const jsonl = (rows: unknown[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

let dir: string;
let tok: Tokenizer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'organism-pipeline-'));
  await writeFile(join(dir, 'pretrain.jsonl'), jsonl(prose));
  await writeFile(join(dir, 'sft.train.jsonl'), jsonl(train));
  await writeFile(join(dir, 'sft.heldout.jsonl'), jsonl(heldout));
  tok = await Tokenizer.fromDir(TOKENIZER);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('token store', () => {
  it('round-trips the corpus: pretraining stream, SFT chats with assistant-only masks, held-out stream', async () => {
    const out = join(dir, 'store');
    const meta = await writeTokenStore({ tokenizer: tok, corpusDir: dir, outDir: out, maxLength: 64 });
    const store = await readTokenStore(out, tok);
    expect(store.meta).toEqual(meta);
    expect(store.sft).toHaveLength(24);
    const first = at(store.sft, 0, 'first SFT example');
    expect(tok.decode(first.ids.filter((_, i) => first.lossMask[i] === 1))).toBe('0 plus 0 is 0.<|im_end|>\n');
    // half the chats ask in the game's defender format
    const asked = store.sft.map((e) => tok.decode(e.ids).includes('Question:\n'));
    expect(asked.filter(Boolean)).toHaveLength(12);
    expect(asked.slice(0, 2)).toEqual([false, true]);
    const eot = at(tok.encode('<|endoftext|>'), 0, '<|endoftext|> id');

    // 30 prose items + 24 rendered chats, each ended by <|endoftext|>
    expect(Array.from(store.pretrain).filter((t) => t === eot)).toHaveLength(54);
    expect(tok.decode(Array.from(store.heldout))).toContain('Colour number 3 is blue.');
  });

  it('keeps chats longer than maxLength out of SFT and counts them', async () => {
    const meta = await writeTokenStore({ tokenizer: tok, corpusDir: dir, outDir: join(dir, 'short'), maxLength: 12 });
    expect(meta.counts.sftTooLong + meta.counts.sftExamples).toBe(24);
    expect(meta.counts.sftTooLong).toBeGreaterThan(0);
  });

  it('an SFT-only store from one chat file', async () => {
    await writeFile(join(dir, 'chats.jsonl'), jsonl(train.slice(0, 5)));
    const meta = await writeChatTokenStore({
      tokenizer: tok,
      chatsFile: join(dir, 'chats.jsonl'),
      outDir: join(dir, 'chat-store'),
      maxLength: 64,
    });
    expect(meta.counts).toMatchObject({ sftExamples: 5, pretrainTokens: 0, heldoutTokens: 0 });
    expect((await readTokenStore(join(dir, 'chat-store'), tok)).sft).toHaveLength(5);
  });

  it('names the file and line of a broken corpus row', async () => {
    const bad = join(dir, 'bad');
    await rm(bad, { recursive: true, force: true });
    await writeFile(join(dir, 'broken.jsonl'), `${JSON.stringify(train[0])}\n{"messages": [}\n`);
    const err = await writeChatTokenStore({
      tokenizer: tok,
      chatsFile: join(dir, 'broken.jsonl'),
      outDir: bad,
      maxLength: 64,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CorpusInputError);
    expect((err as CorpusInputError).line).toBe(2);
    expect((err as Error).message).toContain('broken.jsonl:2');
  });

  it('refuses a store written with another tokenizer', async () => {
    await expect(readTokenStore(join(dir, 'store'), Tokenizer.tiny())).rejects.toThrow(VocabMismatchError);
  });
});

function runCli(args: string[], killWhen?: () => Promise<boolean>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // node --import tsx: one process, so SIGKILL really kills the trainer (the tsx binary would fork a child).
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let timer: NodeJS.Timeout | undefined;
    if (killWhen) {
      timer = setInterval(async () => {
        if (await killWhen()) {
          clearInterval(timer);
          child.kill('SIGKILL');
        }
      }, 50);
    }
    child.on('error', reject);
    child.on('exit', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code, stderr });
    });
  });
}

describe('magic-organism pretrain', () => {
  it('resumes from the last checkpoint after kill -9 and finishes with one log line per step', async () => {
    await writeTokenStore({ tokenizer: tok, corpusDir: dir, outDir: join(dir, 'store'), maxLength: 64 });
    const run = join(dir, 'run');
    // biome-ignore format: one flag and its value per line pair would be unreadable
    const args = ['pretrain', '--device', 'wasm', '--tokens', join(dir, 'store'), '--tokenizer', TOKENIZER, '--run', run, '--epochs', '1', '--block', '16', '--batch', '4', '--checkpoint-every', '4', '--eval-every', '4', '--warmup', '1'];
    const state = join(run, 'pretrain', 'checkpoint', 'trainer_state.json');
    const first = await runCli(args, async () =>
      stat(state).then(
        () => true,
        () => false,
      ),
    );
    expect(first.code, first.stderr).toBeNull(); // killed
    const second = await runCli(args);
    expect(second.stderr).toMatch(/resuming at step [1-9]\d*\//);
    expect(second.code).toBe(0);
    const lines = (await readFile(join(run, 'train-log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => trainLogLineSchema.parse(JSON.parse(l)));
    const steps = lines.map((l) => l.step);
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, i) => i + 1));
    expect(lines.some((l) => l.evalLoss !== undefined)).toBe(true);
    await stat(join(run, 'pretrain', 'model', 'model.safetensors'));
  }, 120_000);
});
