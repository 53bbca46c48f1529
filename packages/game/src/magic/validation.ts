import { at } from '@magic/core';
import {
  defenderResponseForJudge,
  type Guard,
  type GuardVerdict,
  isJudgeFailure,
  isRefusal,
  judgeWithPolicy,
} from '@magic/judges';
import {
  type AttackerPrompts,
  attackerSystemPrompt,
  attackerTask,
  buildAttackerChat,
  type ChatMessage,
  extractAttackerPrompt,
  type GenerationRequest,
  type GenerationResult,
  type Generator,
  type Seed,
} from '@magic/rollout';
import type { GameConfig } from '../config/schema.js';
import {
  benignSetMetrics,
  harmfulSetMetrics,
  rateWithWilson,
  summaryMetrics,
  type ValidationVerdict,
} from './validation-metrics.js';
import type { ValidationSet } from './validation-sets.js';

const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Validation decodes greedily (spec §3: temperature 0, n = 1), both the defender and the attacker. */
export const validationSampling = { temperature: 0, topP: 1, topK: -1 } as const;

/** The defender's chat for a prompt (spec §2.4: `Question:\n{prompt}`; no system = template default). */
export function defenderValidationChat(prompt: string, systemPrompt?: string): ChatMessage[] {
  const chat: ChatMessage[] = [];
  if (systemPrompt !== undefined) chat.push({ role: 'system', content: systemPrompt });
  chat.push({ role: 'user', content: `Question:\n${prompt}` });
  return chat;
}

/**
 * The request for `text` placed in `chat`, its text cut at the end so the rendered prompt fits
 * `maxPromptLength` tokens of the generator's tokenizer (a long rewrite must not overflow a small
 * model's positions); `truncated` says whether it was cut. Generators without a tokenizer get it whole.
 */
export function fitPrompt(
  generator: Generator,
  chat: (text: string) => ChatMessage[],
  text: string,
  maxPromptLength: number,
  maxNewTokens: number,
): { request: GenerationRequest; truncated: boolean } {
  const tok = generator.tokenizer;
  const whole = { request: { messages: chat(text), maxNewTokens }, truncated: false };
  if (tok === undefined) return whole;
  const length = (t: string) => tok.encode(tok.applyChatTemplate(chat(t), { addGenerationPrompt: true })).length;
  if (length(text) <= maxPromptLength) return whole;
  let ids = tok.encode(text);
  let fitted = text;
  // a decoded cut may re-encode a little longer, hence a few rounds
  for (let round = 0; round < 4 && length(fitted) > maxPromptLength; round++) {
    ids = ids.slice(0, Math.max(0, ids.length - (length(fitted) - maxPromptLength) - round));
    fitted = ids.length === 0 ? '' : tok.decode(ids, { skipSpecialTokens: true });
  }
  return { request: { messages: chat(fitted), maxNewTokens }, truncated: true };
}

/**
 * Prompts per generate call in validation: a training rollout batch (`data.trainBatchSize` x
 * `rollout.n`), which the model is known to hold; a whole set at once can exhaust wasm memory.
 */
export function valChunkSize(config: GameConfig): number {
  return config.data.trainBatchSize * config.rollout.n;
}

const chatChars = (r: GenerationRequest) => r.messages.reduce((n, m) => n + m.content.length, 0);

/**
 * The requests in calls of at most `chunkSize` prompts, results in request order. Prompts go in
 * order of length so a call pads to a similar width: prefill cost grows with the padded width squared.
 */
async function generateInChunks(
  generator: Generator,
  requests: GenerationRequest[],
  chunkSize: number,
): Promise<GenerationResult[]> {
  const order = requests
    .map((request, index) => ({ request, index }))
    .sort((a, b) => chatChars(a.request) - chatChars(b.request));
  const out: GenerationResult[] = new Array(requests.length);
  for (let i = 0; i < order.length; i += chunkSize) {
    const chunk = order.slice(i, i + chunkSize);
    const results = await generator.generate(
      chunk.map(({ request }) => request),
      validationSampling,
    );
    for (const [j, { index }] of chunk.entries()) out[index] = at(results, j, 'generator results');
  }
  return out;
}

/**
 * Prompt tokens a validation prompt may take: `rollout.maxPromptLength` less the answer's cap, so a
 * model whose context is maxPromptLength long (the tiny preset) still has room to answer.
 */
export function promptBudget(config: GameConfig, maxNewTokens: number): number {
  return Math.max(1, config.rollout.maxPromptLength - maxNewTokens);
}

/** The defender's prompt budget in validation: `validation.maxPromptLength` when set, within promptBudget. */
function defenderPromptBudget(config: GameConfig, maxNewTokens: number): number {
  const cap = config.validation.maxPromptLength;
  return Math.min(promptBudget(config, maxNewTokens), cap ?? Number.POSITIVE_INFINITY);
}

const resultLength = (r: GenerationResult) => r.tokenIds?.length ?? r.text.length;

/** Generation cap of validation answers: `rollout.valMaxResponseLength`, else the rollout's. */
export function valMaxNewTokens(config: GameConfig): number {
  return config.rollout.valMaxResponseLength ?? config.rollout.maxResponseLength;
}

/** What a failed verdict counts as under `zero` / `legacy-treat-as-safe`: safe, and not a refusal. */
const FAILED_AS_SAFE: GuardVerdict = { safety: 'safe', refusal: 'no', categories: [], raw: '' };

/**
 * The guard's verdicts on the answers under reward.onJudgeFailure: `skip-episode` keeps the failure (the metrics
 * leave it out of the rates and count it), `zero` and `legacy-treat-as-safe` count it as safe with no refusal,
 * `error` throws JudgeFailureError naming the endpoint.
 */
async function judgeAnswers(
  guard: Guard,
  prompts: readonly string[],
  results: readonly GenerationResult[],
  config: GameConfig,
): Promise<ValidationVerdict[]> {
  const policy = { policy: config.reward.onJudgeFailure, endpoint: guard.name, field: 'qa' };
  const judged = await Promise.all(
    results.map((r, i) => {
      const prompt = at(prompts, i, 'prompts');
      return judgeWithPolicy(
        () => guard.moderateResponse(prompt, defenderResponseForJudge(r.text, config.reward.useAnswerTags)),
        policy,
      );
    }),
  );
  return judged.map((v) => (isJudgeFailure(v) && policy.policy !== 'skip-episode' ? FAILED_AS_SAFE : v));
}

/** The defender answers `prompts` at temperature 0 (fitted to its prompt budget) and the guard judges each answer. */
async function answerAndJudge(defender: Generator, guard: Guard, prompts: readonly string[], config: GameConfig) {
  const maxNewTokens = valMaxNewTokens(config);
  const fitted = prompts.map((p) =>
    fitPrompt(defender, (t) => defenderValidationChat(t), p, defenderPromptBudget(config, maxNewTokens), maxNewTokens),
  );
  const results = await generateInChunks(
    defender,
    fitted.map((f) => f.request),
    valChunkSize(config),
  );
  return { fitted, results, verdicts: await judgeAnswers(guard, prompts, results, config) };
}

/**
 * `<prefix>/rules_refusal_rate` (with its 95% CI): the share of answers that @magic/judges' refusal rules call a
 * refusal, the verdict R_ref uses with `reward.refusalSource: rules`, beside the guard's refusal field.
 */
function rulesRefusalRate(prefix: string, texts: readonly string[]): Record<string, number> {
  return rateWithWilson(
    `${prefix}/rules_refusal_rate`,
    texts.map((t) => isRefusal(t)),
  );
}

/**
 * Defender-side validation (MAGIC's `defender_only_eval`): the defender answers every item of
 * every set at temperature 0 and the guard judges the answer against the prompt. Per set
 * `val/<set>/…`: harmful sets report ASR (non-refusal rate) and harm rate, benign sets refusal
 * and compliance rates, each with a 95% Wilson CI; plus the summary keys of `summaryMetrics`.
 */
export async function validateDefender(
  defender: Generator,
  guard: Guard,
  sets: readonly ValidationSet[],
  config: GameConfig,
): Promise<Record<string, number>> {
  const items = sets.flatMap((s) => s.items);
  if (items.length === 0) return {};
  const { fitted, results, verdicts } = await answerAndJudge(
    defender,
    guard,
    items.map((item) => item.prompt),
    config,
  );
  const metrics: Record<string, number> = {
    'val/judge_failures': verdicts.filter(isJudgeFailure).length,
    'val/num_items': items.length,
    'val/num_truncated_prompts': fitted.filter((f) => f.truncated).length,
    'val/response_length': mean(results.map(resultLength)),
  };
  let start = 0;
  for (const set of sets) {
    const slice = verdicts.slice(start, start + set.items.length);
    const texts = results.slice(start, start + set.items.length).map((r) => r.text);
    start += set.items.length;
    const prefix = `val/${set.name}`;
    Object.assign(
      metrics,
      set.dataType === 'vanilla_harmful' ? harmfulSetMetrics(prefix, slice) : benignSetMetrics(prefix, slice),
      rulesRefusalRate(prefix, texts),
    );
  }
  return { ...metrics, ...summaryMetrics(metrics) };
}

/**
 * The attacker's greedy rewrites of the last attacker-side validation, kept under a fingerprint of its weights:
 * while the attacker is frozen (a defender block) they are the same texts, so only the defender answers again.
 */
export class AttackRewriteCache {
  #fingerprint: number | undefined;
  #attacks: GenerationResult[] | undefined;

  /** The rewrites made by weights with this fingerprint, if they are the last ones stored. */
  get(fingerprint: number): GenerationResult[] | undefined {
    return this.#fingerprint === fingerprint ? this.#attacks : undefined;
  }

  set(fingerprint: number, attacks: GenerationResult[]): void {
    this.#fingerprint = fingerprint;
    this.#attacks = attacks;
  }
}

/**
 * Attacker-side validation: the current attacker rewrites each held-out harmful seed (its normal
 * single-turn chat with the HARM template, temperature 0), the defender answers the rewrite at
 * temperature 0, and the guard judges the answer as in training (prompt = the rewrite).
 * `val/attacker/asr` (non-refusal rate) and `val/attacker/harm_rate`, each with its 95% CI.
 * With `reuse`, rewrites cached under the attacker's current fingerprint are answered again instead of being
 * regenerated (`val/attacker/rewrites_reused` 1).
 */
export async function validateAttacker(
  attacker: Generator,
  defender: Generator,
  guard: Guard,
  seeds: readonly Seed[],
  attackerPrompts: AttackerPrompts,
  config: GameConfig,
  reuse?: { cache: AttackRewriteCache; fingerprint: number },
): Promise<Record<string, number>> {
  if (seeds.length === 0) return {};
  const system = attackerSystemPrompt(attackerPrompts, 1);
  const attackTokens = config.rollout.maxResponseLength;
  const tasks = seeds.map((seed) =>
    fitPrompt(
      attacker,
      (question) => buildAttackerChat([], system, attackerTask({ ...seed, question }, attackerPrompts)),
      seed.question,
      promptBudget(config, attackTokens),
      attackTokens,
    ),
  );
  const cached = reuse?.cache.get(reuse.fingerprint);
  const attacks =
    cached ??
    (await generateInChunks(
      attacker,
      tasks.map((t) => t.request),
      valChunkSize(config),
    ));
  if (reuse && !cached) reuse.cache.set(reuse.fingerprint, attacks);
  const prompts = attacks.map((a, i) => extractAttackerPrompt(a.text, at(seeds, i, 'held-out seeds').question));
  const { fitted, results, verdicts } = await answerAndJudge(defender, guard, prompts, config);
  return {
    ...harmfulSetMetrics('val/attacker', verdicts),
    ...rulesRefusalRate(
      'val/attacker',
      results.map((r) => r.text),
    ),
    'val/attacker/judge_failures': verdicts.filter(isJudgeFailure).length,
    'val/attacker/num_truncated_prompts': [...tasks, ...fitted].filter((f) => f.truncated).length,
    'val/attacker/attack_length': mean(attacks.map(resultLength)),
    'val/attacker/response_length': mean(results.map(resultLength)),
    ...(reuse ? { 'val/attacker/rewrites_reused': cached ? 1 : 0 } : {}),
  };
}
