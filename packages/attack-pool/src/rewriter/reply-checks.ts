/** Openings that mark a model refusal rather than a rewrite or rationale. */
const REFUSAL =
  /^\s*["'“]?\s*(i'?m sorry|i am sorry|sorry,|i can(?:'|’)?t|i cannot|i won(?:'|’)?t|i will not|i'm unable|i am unable|as an ai\b|i must decline|unfortunately,? i)/i;

/** True when a reply opens like a refusal ("I'm sorry", "I can't", "As an AI", ...). */
export function looksLikeRefusal(text: string): boolean {
  return REFUSAL.test(text);
}

/** Unicode script ranges of the translation targets that have their own script. */
const scripts: Record<string, RegExp> = {
  ml: /[\u0D00-\u0D7F]/gu,
  ta: /[\u0B80-\u0BFF]/gu,
  mr: /[\u0900-\u097F]/gu,
  'zh-Hans': /[\u3400-\u4DBF\u4E00-\u9FFF]/gu,
};

/**
 * Share of letters written in the target language's script (1 for languages written in Latin script,
 * where no script check is possible).
 */
export function targetScriptShare(text: string, language: string): number {
  const pattern = scripts[language];
  if (!pattern) return 1;
  const letters = text.match(/[\p{L}\p{M}]/gu)?.length ?? 0;
  if (letters === 0) return 0;
  return (text.match(pattern)?.length ?? 0) / letters;
}
