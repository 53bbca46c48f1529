import type { IfevalRow } from '../loaders/ifeval.js';
import { checkInstruction } from './checkers.js';

/** IFEval's loose variants: the response, without its first line, without its last line, without both; each also with `*` removed. */
export function looseVariants(response: string): string[] {
  const lines = response.split('\n');
  const base = [
    response,
    lines.slice(1).join('\n').trim(),
    lines.slice(0, -1).join('\n').trim(),
    lines.slice(1, -1).join('\n').trim(),
  ];
  return [...base, ...base.map((r) => r.replaceAll('*', ''))];
}

export interface IfevalItemResult {
  key: number;
  strict: boolean[];
  loose: boolean[];
  promptStrict: boolean;
  promptLoose: boolean;
}

/** Strict: the checker on the raw response. Loose: it passes on any non-empty loose variant. Empty responses fail. */
export function evaluateIfeval(row: IfevalRow, response: string): IfevalItemResult {
  const variants = looseVariants(response).filter((v) => v.trim() !== '');
  const strict = row.instructionIdList.map(
    (id, i) =>
      response.trim() !== '' && checkInstruction(id, response, { ...row.kwargs[i], ...repeatPromptKwargs(id, row) }),
  );
  const loose = row.instructionIdList.map((id, i) =>
    variants.some((v) => checkInstruction(id, v, { ...row.kwargs[i], ...repeatPromptKwargs(id, row) })),
  );
  return { key: row.key, strict, loose, promptStrict: strict.every(Boolean), promptLoose: loose.every(Boolean) };
}

function repeatPromptKwargs(id: string, row: IfevalRow): Record<string, unknown> {
  return id === 'combination:repeat_prompt' &&
    row.kwargs[row.instructionIdList.indexOf(id)]?.prompt_to_repeat === undefined
    ? { prompt_to_repeat: row.prompt }
    : {};
}

export interface IfevalScores {
  promptStrict: number;
  promptLoose: number;
  instructionStrict: number;
  instructionLoose: number;
}

/** Prompt-level = fraction of prompts with every instruction followed; instruction-level = fraction of instructions followed. */
export function aggregateIfeval(results: readonly IfevalItemResult[]): IfevalScores {
  const mean = (xs: boolean[]) => (xs.length === 0 ? Number.NaN : xs.filter(Boolean).length / xs.length);
  return {
    promptStrict: mean(results.map((r) => r.promptStrict)),
    promptLoose: mean(results.map((r) => r.promptLoose)),
    instructionStrict: mean(results.flatMap((r) => r.strict)),
    instructionLoose: mean(results.flatMap((r) => r.loose)),
  };
}
