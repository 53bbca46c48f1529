import type { TokenSequence } from './episode.js';
import { TemplateDriftError } from './errors.js';
import type { ChatMessage, ChatTokenizer, Role } from './types.js';

/** A role's earlier generation, spliced back into its later prompts by id (never re-tokenized). */
export interface AssistantSample {
  turn: number;
  tokenIds: number[];
  logprobs: number[];
}

const sentinel = (i: number) => `\u{E000}magic-slot-${i}\u{E001}`;

function emptySequence(): TokenSequence {
  return { inputIds: [], labelMask: [], stepIds: [], logprobs: [] };
}

function pushPromptTokens(seq: TokenSequence, ids: number[]): void {
  for (const id of ids) {
    seq.inputIds.push(id);
    seq.labelMask.push(0);
    seq.stepIds.push(-100);
    seq.logprobs.push(0);
  }
}

/** Appends sampled tokens with label 1, their turn as step id and their sampling log-probs. */
export function pushSampledTokens(seq: TokenSequence, sample: AssistantSample): void {
  sample.tokenIds.forEach((id, i) => {
    seq.inputIds.push(id);
    seq.labelMask.push(1);
    seq.stepIds.push(sample.turn);
    seq.logprobs.push(sample.logprobs[i] ?? 0);
  });
}

/** Splits the sentinel render into the template text around each assistant message. */
function splitOnSentinels(rendered: string, count: number, where: { role: Role; turn: number }): string[] {
  const segments: string[] = [];
  let cursor = 0;
  for (let i = 0; i < count; i++) {
    const s = sentinel(i);
    const at = rendered.indexOf(s, cursor);
    if (at < 0 || rendered.indexOf(s, at + s.length) >= 0) {
      throw new TemplateDriftError({
        ...where,
        reason: 'sentinel-missing',
        index: i,
        detail: `assistant message ${i} does not appear exactly once in the rendered chat`,
      });
    }
    segments.push(rendered.slice(cursor, at));
    cursor = at + s.length;
  }
  segments.push(rendered.slice(cursor));
  return segments;
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/** Drops the template's end-of-turn text when the sample already ends with that stop token. */
function stripSampledStop(segment: string, sample: AssistantSample, tokenizer: ChatTokenizer): string {
  const last = sample.tokenIds.at(-1);
  if (last === undefined || !tokenizer.eosTokenIds.includes(last)) return segment;
  const stopText = tokenizer.decode([last], { skipSpecialTokens: false });
  return stopText && segment.startsWith(stopText) ? segment.slice(stopText.length) : segment;
}

/**
 * The exact prompt ids of a chat whose assistant messages are this role's earlier generations: the
 * template text between them is tokenized, the assistant parts are the sampled ids themselves.
 * Verifies against the full re-render that the template keeps assistant content verbatim (e.g. a
 * Qwen3 template that strips `<think>` from history fails with TemplateDriftError).
 */
export function buildPromptSequence(
  tokenizer: ChatTokenizer,
  messages: ChatMessage[],
  samples: AssistantSample[],
  where: { role: Role; turn: number },
): TokenSequence {
  const assistantIdx = messages.flatMap((m, i) => (m.role === 'assistant' ? [i] : []));
  if (assistantIdx.length !== samples.length) {
    throw new TemplateDriftError({
      ...where,
      reason: 'sentinel-missing',
      index: assistantIdx.length,
      detail: `chat has ${assistantIdx.length} assistant messages but ${samples.length} recorded generations`,
    });
  }
  let slot = 0;
  const withSentinels = messages.map((m) => (m.role === 'assistant' ? { ...m, content: sentinel(slot++) } : m));
  const segments = splitOnSentinels(
    tokenizer.applyChatTemplate(withSentinels, { addGenerationPrompt: true }),
    samples.length,
    where,
  );
  const full = tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
  const joined = segments.reduce(
    (acc, seg, i) => acc + (i === 0 ? '' : messages[assistantIdx[i - 1]!]!.content) + seg,
    '',
  );
  if (joined !== full) {
    const at = firstDifference(joined, full);
    throw new TemplateDriftError({
      ...where,
      reason: 'assistant-content-rewritten',
      index: at,
      detail: 'the chat template does not render earlier assistant messages verbatim (character offset shown)',
    });
  }
  const seq = emptySequence();
  segments.forEach((segment, i) => {
    const previous = i > 0 ? samples[i - 1] : undefined;
    const text = previous ? stripSampledStop(segment, previous, tokenizer) : segment;
    pushPromptTokens(seq, text ? tokenizer.encode(text) : []);
    const sample = samples[i];
    if (sample && i < samples.length) pushSampledTokens(seq, sample);
  });
  return seq;
}

/** Throws TemplateDriftError unless `next` starts with all of `previous` (append-only across turns). */
export function assertAppendOnly(previous: number[], next: number[], where: { role: Role; turn: number }): void {
  const n = previous.length;
  let i = 0;
  while (i < n && previous[i] === next[i]) i++;
  if (i < n) {
    throw new TemplateDriftError({
      ...where,
      reason: 'prefix-mismatch',
      index: i,
      detail: `turn prompt (${next.length} tokens) does not extend the previous turn's ${n} tokens`,
    });
  }
}

/** A copy of a sequence. */
export function cloneSequence(seq: TokenSequence): TokenSequence {
  return {
    inputIds: [...seq.inputIds],
    labelMask: [...seq.labelMask],
    stepIds: [...seq.stepIds],
    logprobs: [...seq.logprobs],
  };
}
