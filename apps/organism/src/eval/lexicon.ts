import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { corpusLineText } from '../bpe/train-from-corpus.js';
import { CorpusInputError, EvalInputError } from '../errors.js';
import { parseJsonlRows } from '../sources/jsonl-rows.js';
import { rougeTokens } from './rouge.js';

/** The committed word list of the organism corpus (`data/lexicon.txt`), from src/ or dist/. */
export function defaultLexiconFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = dirname(dir)) {
    const candidate = join(dir, 'data', 'lexicon.txt');
    if (existsSync(candidate)) return candidate;
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'lexicon.txt');
}

const sourceLineSchema = z.object({ source: z.string() }).loose();

/** Corpus sources the word list is drawn from: instruction data and prose, not the safety sources' requests. */
export const LEXICON_SOURCES: readonly string[] = ['t0:', 'python-docs:'];

/**
 * Words (rouge tokens of letters only) that occur at least `minCount` times in the LEXICON_SOURCES lines of the
 * corpus jsonl files of `corpusDir`, the held-out file excluded (as for the tokenizer), sorted. It is what "a real
 * word" means to the lexical sanity check: the organism learned its words from this corpus.
 */
export function buildLexicon(corpusDir: string, minCount = 5): string[] {
  const counts = new Map<string, number>();
  const files = readdirSync(corpusDir)
    .filter((f) => f.endsWith('.jsonl') && !f.includes('heldout'))
    .sort();
  if (files.length === 0) throw new EvalInputError(corpusDir, `no corpus jsonl (run 'magic-organism corpus' first)`);
  for (const f of files) {
    const path = join(corpusDir, f);
    for (const { row, line } of parseJsonlRows(readFileSync(path, 'utf8'), path, z.unknown())) {
      const src = sourceLineSchema.safeParse(row);
      if (!src.success) throw new CorpusInputError(path, line, 'no "source" string');
      if (!LEXICON_SOURCES.some((p) => src.data.source.startsWith(p))) continue;
      // ChatML markers add the role words only, which are real words anyway
      for (const w of rougeTokens(corpusLineText(row, path, line))) {
        if (/^[a-z]+$/.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
  }
  return [...counts]
    .filter(([, n]) => n >= minCount)
    .map(([w]) => w)
    .sort();
}

/** Reads a word list (one lower-case word a line). */
export function loadLexicon(file: string = defaultLexiconFile()): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EvalInputError(file, `cannot read the lexicon (${(e as Error).message})`, { cause: e });
  }
  const words = text.split('\n').filter((w) => w !== '');
  const bad = words.findIndex((w) => !/^[a-z]+$/.test(w));
  if (bad >= 0) throw new EvalInputError(`${file}:${bad + 1}`, 'a lexicon line must be one lower-case word [a-z]+');
  return new Set(words);
}
