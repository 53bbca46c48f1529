const numberPattern = /-?\d[\d,]*(?:\.\d+)?/g;

function normalise(number: string): string {
  const n = Number(number.replaceAll(',', ''));
  return Number.isFinite(n) ? String(n) : number;
}

/**
 * The final number of a GSM8K-style reply: after `####` if present, else after "answer is", else the
 * last number in the text. Commas are dropped and the number is normalised (`18.00` = `18`).
 */
export function extractFinalNumber(text: string): string | null {
  const marked = /####\s*(-?[\d,]+(?:\.\d+)?)/.exec(text) ?? /answer is\s*:?\s*\$?(-?[\d,]+(?:\.\d+)?)/i.exec(text);
  if (marked?.[1]) return normalise(marked[1]);
  const all = text.match(numberPattern);
  const last = all?.at(-1);
  return last === undefined ? null : normalise(last);
}

/** Exact match of the extracted number against the `####` target. */
export function gsm8kExactMatch(reply: string, target: string): boolean {
  const predicted = extractFinalNumber(reply);
  return predicted !== null && predicted === normalise(target);
}
