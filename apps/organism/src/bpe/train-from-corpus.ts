import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CorpusInputError, TokenizerTrainError } from '../errors.js';
import { parseJsonlRows } from '../sources/jsonl-rows.js';
import { toTokenizerConfig, toTokenizerJson } from './hf-files.js';
import { PretokenCounter, trainBpe } from './trainer.js';

const chatLineSchema = z.object({ messages: z.array(z.object({ role: z.string(), content: z.string() })) }).loose();
const textLineSchema = z.object({ text: z.string() }).loose();

/** The text a corpus line contributes: prose as is, chat examples rendered in ChatML (roles become tokens too). */
export function corpusLineText(raw: unknown, file: string, line: number): string {
  const chat = chatLineSchema.safeParse(raw);
  if (chat.success) return chat.data.messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join('');
  const prose = textLineSchema.safeParse(raw);
  if (prose.success) return prose.data.text;
  throw new CorpusInputError(file, line, 'neither {messages: [{role, content}]} nor {text}');
}

export interface TrainTokenizerOptions {
  corpusDir: string;
  vocabSize: number;
  /** Stop reading after this many characters (files are read in name order, lines in a fixed stride). */
  maxChars: number;
  outDir: string;
  log?: (line: string) => void;
}

export interface TrainTokenizerResult {
  vocabSize: number;
  merges: number;
  chars: number;
  seconds: number;
  outDir: string;
}

/** Trains the organism tokenizer on the corpus jsonl files (held-out SFT file excluded) and writes HF files. */
export async function trainTokenizerFromCorpus(options: TrainTokenizerOptions): Promise<TrainTokenizerResult> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  let files: string[];
  try {
    files = readdirSync(options.corpusDir)
      .filter((f) => f.endsWith('.jsonl') && !f.includes('heldout'))
      .sort();
  } catch (e) {
    throw new TokenizerTrainError(`cannot read corpus dir ${options.corpusDir} (run 'magic-organism corpus' first)`, {
      cause: e,
    });
  }
  if (files.length === 0) throw new TokenizerTrainError(`no corpus jsonl in ${options.corpusDir}`);
  const lines: { file: string; n: number; text: string }[] = [];
  let total = 0;
  for (const f of files) {
    const path = join(options.corpusDir, f);
    for (const { row, line } of parseJsonlRows(readFileSync(path, 'utf8'), path, z.unknown())) {
      const text = corpusLineText(row, path, line);
      total += text.length;
      lines.push({ file: path, n: line, text });
    }
  }
  // An even stride over all lines keeps every source's share when only part of the corpus is used.
  const keep = Math.min(1, options.maxChars / Math.max(1, total));
  const counter = new PretokenCounter();
  let acc = 0;
  for (const l of lines) {
    acc += keep;
    if (acc < 1) continue;
    acc -= 1;
    counter.add(l.text);
  }
  log(`pre-tokenised ${counter.chars} chars into ${counter.counts.size} distinct pre-tokens`);
  const model = trainBpe(counter.counts, options.vocabSize);
  await mkdir(options.outDir, { recursive: true });
  await writeFile(join(options.outDir, 'tokenizer.json'), `${JSON.stringify(toTokenizerJson(model))}\n`);
  await writeFile(
    join(options.outDir, 'tokenizer_config.json'),
    `${JSON.stringify(toTokenizerConfig(model), null, 2)}\n`,
  );
  return {
    vocabSize: model.vocab.size + 3,
    merges: model.merges.length,
    chars: counter.chars,
    seconds: (performance.now() - t0) / 1000,
    outDir: options.outDir,
  };
}
