import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { at } from '@magic/core';
import { type ChatRecord, chatRecordSchema, type TokenizedExample, type Tokenizer, tokenizeChat } from '@magic/lm';
import { z } from 'zod';
import { CorpusInputError, TokenStoreError, VocabMismatchError } from '../errors.js';
import { parseJsonlRows } from '../sources/jsonl-rows.js';

/**
 * A tokenized corpus, small enough to travel to the GPU machine: uint16 ids, gzip-compressed.
 * - pretrain: prose items and SFT-train chats rendered with the chat template, each ended by <|endoftext|>;
 * - sft: SFT-train chats with their assistant-only loss masks (offsets delimit examples);
 * - heldout: held-out chats rendered like pretrain (an eval loss that no stage trains on).
 */
export const TOKEN_STORE_VERSION = 1;
const metaSchema = z.object({
  version: z.literal(TOKEN_STORE_VERSION),
  tokenizerSha256: z.string().length(64),
  vocabSize: z.number().int().positive().max(65536),
  maxLength: z.number().int().positive(),
  /** Every 1/share-th SFT chat asks its first user turn as `Question:\n…`, the game's defender format. */
  questionPrefixShare: z.number().min(0).max(1).default(0),
  counts: z.object({
    pretrainTokens: z.number().int().min(0),
    sftExamples: z.number().int().min(0),
    sftTokens: z.number().int().min(0),
    /** SFT chats longer than maxLength: kept in the pretraining stream, left out of SFT. */
    sftTooLong: z.number().int().min(0),
    heldoutTokens: z.number().int().min(0),
  }),
  sources: z.record(z.string(), z.string()),
});
export type TokenStoreMeta = z.infer<typeof metaSchema>;

export interface TokenStore {
  meta: TokenStoreMeta;
  pretrain: Uint16Array;
  heldout: Uint16Array;
  sft: TokenizedExample[];
}

/** sha256 of the tokenizer's canonical JSON: ties a token store to the tokenizer that wrote it. */
export function tokenizerFingerprint(tok: Tokenizer): string {
  return createHash('sha256').update(JSON.stringify(tok.tokenizerJson)).digest('hex');
}

const proseSchema = z.object({ text: z.string().min(1) });

async function readRows<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S>[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new CorpusInputError(file, undefined, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  return parseJsonlRows(text, file, schema).map((r) => r.row);
}

const readChats = (file: string): Promise<ChatRecord[]> => readRows(file, chatRecordSchema);

/**
 * SFT examples of `chats` (assistant-only masks), concatenated with their offsets; chats longer than maxLength are
 * counted and left out. `onFull` sees every chat's full token ids (the pretraining stream takes them all).
 */
function tokenizeSftChats(
  tok: Tokenizer,
  chats: ChatRecord[],
  maxLength: number,
  file: string,
  onFull?: (ids: number[]) => void,
): { sftIds: number[]; sftMask: number[]; offsets: number[]; tooLong: number } {
  const sftIds: number[] = [];
  const sftMask: number[] = [];
  const offsets: number[] = [0];
  let tooLong = 0;
  chats.forEach((c, i) => {
    const full = tok.encode(tok.applyChatTemplate(c.messages, { addGenerationPrompt: false }));
    onFull?.(full);
    if (full.length > maxLength) {
      tooLong++;
      return;
    }
    const ex = tokenizeChat(tok, c, maxLength, `${file}:${i + 1}`);
    for (const [j, id] of ex.ids.entries()) {
      sftIds.push(id);
      sftMask.push(at(ex.lossMask, j, 'loss mask'));
    }
    offsets.push(sftIds.length);
  });
  return { sftIds, sftMask, offsets, tooLong };
}

function toU16(ids: number[], where: string): Uint16Array {
  const a = new Uint16Array(ids.length);
  for (const [i, v] of ids.entries()) {
    if (v > 0xffff) throw new TokenStoreError(where, `token id ${v} does not fit in uint16`);
    a[i] = v;
  }
  return a;
}

export interface WriteTokenStoreOptions {
  tokenizer: Tokenizer;
  /** Corpus dir of `magic-organism corpus` (pretrain.jsonl, sft.train.jsonl, sft.heldout.jsonl). */
  corpusDir: string;
  outDir: string;
  /** SFT examples are cut to this many tokens. */
  maxLength: number;
  /**
   * Share of chats whose first user turn becomes `Question:\n{content}`: the game shows the defender every prompt
   * that way (spec §2.4), so the organism must behave the same with and without it (default 0.5).
   */
  questionPrefixShare?: number;
  log?: (line: string) => void;
}

/** Deterministic: chat i gets the prefix when floor((i+1)·share) > floor(i·share). */
export function withQuestionPrefix(chat: ChatRecord, i: number, share: number): ChatRecord {
  if (Math.floor((i + 1) * share) === Math.floor(i * share)) return chat;
  const k = chat.messages.findIndex((m) => m.role === 'user');
  if (k < 0) return chat;
  const messages = chat.messages.map((m, j) => (j === k ? { ...m, content: `Question:\n${m.content}` } : m));
  return { messages };
}

/** Tokenizes the corpus once (minutes on one core) so that training machines only read ids. */
export async function writeTokenStore(opts: WriteTokenStoreOptions): Promise<TokenStoreMeta> {
  const tok = opts.tokenizer;
  const eotIds = tok.encode('<|endoftext|>');
  const [eot] = eotIds;
  if (eotIds.length !== 1 || eot === undefined || !tok.isSpecial(eot))
    throw new VocabMismatchError('tokenizer has no <|endoftext|> token');
  const render = (r: ChatRecord): string => tok.applyChatTemplate(r.messages, { addGenerationPrompt: false });
  const pretrain: number[] = [];
  const push = (ids: number[]): void => {
    for (const id of ids) pretrain.push(id);
    pretrain.push(eot);
  };
  const proseFile = join(opts.corpusDir, 'pretrain.jsonl');
  let prose = 0;
  for (const row of await readRows(proseFile, proseSchema)) {
    push(tok.encode(row.text));
    prose++;
  }
  opts.log?.(`tokenize: ${prose} prose items, ${pretrain.length} tokens`);
  const trainFile = join(opts.corpusDir, 'sft.train.jsonl');
  const share = opts.questionPrefixShare ?? 0.5;
  const chats = (await readChats(trainFile)).map((c, i) => withQuestionPrefix(c, i, share));
  const { sftIds, sftMask, offsets, tooLong } = tokenizeSftChats(tok, chats, opts.maxLength, trainFile, push);
  opts.log?.(
    `tokenize: ${chats.length} SFT chats (${tooLong} longer than ${opts.maxLength} tokens: pretraining only), ` +
      `${sftIds.length} SFT tokens; pretrain stream ${pretrain.length}`,
  );
  const heldoutFile = join(opts.corpusDir, 'sft.heldout.jsonl');
  const heldout: number[] = [];
  for (const c of await readChats(heldoutFile)) {
    for (const id of tok.encode(render(c))) heldout.push(id);
    heldout.push(eot);
  }
  const meta: TokenStoreMeta = {
    version: TOKEN_STORE_VERSION,
    tokenizerSha256: tokenizerFingerprint(tok),
    vocabSize: tok.vocabSize,
    maxLength: opts.maxLength,
    questionPrefixShare: share,
    counts: {
      pretrainTokens: pretrain.length,
      sftExamples: offsets.length - 1,
      sftTokens: sftIds.length,
      sftTooLong: tooLong,
      heldoutTokens: heldout.length,
    },
    sources: { pretrain: proseFile, sft: trainFile, heldout: heldoutFile },
  };
  await writeStoreFiles(opts.outDir, meta, { pretrain, heldout, sftIds, sftMask, offsets });
  return meta;
}

async function writeStoreFiles(
  outDir: string,
  meta: TokenStoreMeta,
  a: { pretrain: number[]; heldout: number[]; sftIds: number[]; sftMask: number[]; offsets: number[] },
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const files: [string, Uint8Array][] = [
    ['pretrain.u16.gz', bytesOf(toU16(a.pretrain, 'pretrain'))],
    ['heldout.u16.gz', bytesOf(toU16(a.heldout, 'heldout'))],
    ['sft-ids.u16.gz', bytesOf(toU16(a.sftIds, 'sft'))],
    ['sft-mask.u8.gz', Uint8Array.from(a.sftMask)],
    ['sft-offsets.u32.gz', bytesOf(Uint32Array.from(a.offsets))],
  ];
  for (const [name, raw] of files) await writeFile(join(outDir, name), gzipSync(raw, { level: 9 }));
  // meta.json last, through a rename: a store with meta.json is complete.
  await writeFile(join(outDir, 'meta.json.tmp'), JSON.stringify(meta, null, 2));
  await rename(join(outDir, 'meta.json.tmp'), join(outDir, 'meta.json'));
}

export interface WriteChatTokenStoreOptions {
  tokenizer: Tokenizer;
  /** jsonl of {"messages": [...]} chats (e.g. the attacker's phase-1 examples). */
  chatsFile: string;
  outDir: string;
  maxLength: number;
  log?: (line: string) => void;
}

/** An SFT-only store (no pretraining stream, no held-out text) from one chat file. */
export async function writeChatTokenStore(opts: WriteChatTokenStoreOptions): Promise<TokenStoreMeta> {
  const tok = opts.tokenizer;
  const chats = await readChats(opts.chatsFile);
  const { sftIds, sftMask, offsets, tooLong } = tokenizeSftChats(tok, chats, opts.maxLength, opts.chatsFile);
  opts.log?.(
    `tokenize: ${chats.length} chats (${tooLong} longer than ${opts.maxLength} tokens: left out), ${sftIds.length} tokens`,
  );
  const meta: TokenStoreMeta = {
    version: TOKEN_STORE_VERSION,
    tokenizerSha256: tokenizerFingerprint(tok),
    vocabSize: tok.vocabSize,
    maxLength: opts.maxLength,
    questionPrefixShare: 0,
    counts: {
      pretrainTokens: 0,
      sftExamples: offsets.length - 1,
      sftTokens: sftIds.length,
      sftTooLong: tooLong,
      heldoutTokens: 0,
    },
    sources: { sft: opts.chatsFile },
  };
  await writeStoreFiles(opts.outDir, meta, { pretrain: [], heldout: [], sftIds, sftMask, offsets });
  return meta;
}

function bytesOf(a: Uint16Array | Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

async function readArray<T>(dir: string, name: string, make: (buf: ArrayBuffer) => T, expect: number): Promise<T> {
  const file = join(dir, name);
  let raw: Buffer;
  try {
    raw = gunzipSync(await readFile(file));
  } catch (e) {
    throw new TokenStoreError(file, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const buf = raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength);
  const arr = make(buf as ArrayBuffer) as unknown as { length: number };
  if (arr.length !== expect) throw new TokenStoreError(file, `${arr.length} values, meta.json says ${expect}`);
  return arr as unknown as T;
}

/** Reads a store; with `tokenizer`, refuses one written by a different tokenizer (VocabMismatchError). */
export async function readTokenStore(dir: string, tokenizer?: Tokenizer): Promise<TokenStore> {
  const metaFile = join(dir, 'meta.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(metaFile, 'utf8'));
  } catch (e) {
    throw new TokenStoreError(metaFile, `cannot read: ${(e as Error).message}`, { cause: e });
  }
  const m = metaSchema.safeParse(json);
  if (!m.success) {
    const issue = at(m.error.issues, 0, 'zod issue');
    throw new TokenStoreError(metaFile, `${issue.path.join('.')}: ${issue.message}`);
  }
  const meta = m.data;
  if (tokenizer && tokenizerFingerprint(tokenizer) !== meta.tokenizerSha256) {
    throw new VocabMismatchError(
      `${dir} was tokenized with a different tokenizer (vocab ${meta.vocabSize}, sha256 ${meta.tokenizerSha256.slice(0, 12)}…) ` +
        `than the model's (vocab ${tokenizer.vocabSize}, sha256 ${tokenizerFingerprint(tokenizer).slice(0, 12)}…): run tokenize again`,
    );
  }
  const c = meta.counts;
  const pretrain = await readArray(dir, 'pretrain.u16.gz', (b) => new Uint16Array(b), c.pretrainTokens);
  const heldout = await readArray(dir, 'heldout.u16.gz', (b) => new Uint16Array(b), c.heldoutTokens);
  const ids = await readArray(dir, 'sft-ids.u16.gz', (b) => new Uint16Array(b), c.sftTokens);
  const mask = await readArray(dir, 'sft-mask.u8.gz', (b) => new Uint8Array(b), c.sftTokens);
  const offsets = await readArray(dir, 'sft-offsets.u32.gz', (b) => new Uint32Array(b), c.sftExamples + 1);
  const sft: TokenizedExample[] = [];
  for (let i = 0; i < c.sftExamples; i++) {
    const a = at(offsets, i, 'sft offset');
    const b = at(offsets, i + 1, 'sft offset');

    if (!(a < b && b <= ids.length))
      throw new TokenStoreError(join(dir, 'sft-offsets.u32.gz'), `bad offsets at example ${i}`);
    sft.push({ ids: Array.from(ids.subarray(a, b)), lossMask: Array.from(mask.subarray(a, b)) });
  }
  return { meta, pretrain, heldout, sft };
}
