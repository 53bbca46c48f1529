import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer } from '@magic/lm';
import { describe, expect, it } from 'vitest';
import { ORGANISM_CHAT_TEMPLATE } from './hf-files.js';
import { TOKENIZER_CHECK_TEXTS, type TokenizerIdsFile, tokenizerIds } from './tokenizer-ids.js';

const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data');
const dir = join(dataDir, 'tokenizer-s');

describe('committed organism-s tokenizer (apps/organism/data/tokenizer-s)', () => {
  it('is small, 4096 ids, and loads unchanged in @magic/lm with <|im_end|> as eos and <|endoftext|> as pad', async () => {
    expect(statSync(join(dir, 'tokenizer.json')).size).toBeLessThan(400_000);
    const tok = await Tokenizer.fromDir(dir);
    expect(tok.vocabSize).toBe(4096);
    expect(tok.encode('<|endoftext|>')).toEqual([4093]);
    expect(tok.encode('<|im_start|>')).toEqual([4094]);
    expect(tok.encode('<|im_end|>')).toEqual([4095]);
    expect(tok.eosTokenIds).toEqual([4095, 4093]);
    expect(tok.padTokenId).toBe(4093);
  });

  it('round-trips text, unicode included, and compresses English prose', async () => {
    const tok = await Tokenizer.fromDir(dir);
    for (const s of TOKENIZER_CHECK_TEXTS) expect(tok.decode(tok.encode(s))).toBe(s);
    const prose =
      'The function returns a new list containing the items of the original list in sorted order, and leaves the original unchanged.';
    expect(prose.length / tok.encode(prose).length).toBeGreaterThan(3.5);
  });

  it('renders ChatML with no default system turn', async () => {
    const tok = await Tokenizer.fromDir(dir);
    expect((tok.tokenizerConfig as { chat_template: string }).chat_template).toBe(ORGANISM_CHAT_TEMPLATE);
    const rendered = tok.applyChatTemplate([{ role: 'user', content: 'Hello' }], { addGenerationPrompt: true });
    expect(rendered).toBe('<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n');
    const ids = tok.encode(rendered);
    expect(ids[0]).toBe(4094);
    expect(ids.filter((i) => tok.isSpecial(i))).toEqual([4094, 4095, 4094]);
  });

  it('matches the committed ids file that scripts/check-tokenizer-hf.py compares with transformers', async () => {
    const tok = await Tokenizer.fromDir(dir);
    const committed = JSON.parse(readFileSync(join(dataDir, 'tokenizer-s-ids.json'), 'utf8')) as TokenizerIdsFile;
    expect(tokenizerIds(tok, 'tokenizer-s')).toEqual(committed);
  });
});
