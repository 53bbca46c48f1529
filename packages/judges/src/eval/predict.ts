import pLimit from 'p-limit';
import { GuardParseError } from '../errors.js';
import type { GuardExample } from '../local/dataset.js';
import type { Guard, GuardVerdict } from '../types.js';

/** How a `controversial` verdict is read: as safe (loose, the evaluation convention and default) or as harmful (strict, as in training). */
export type ControversialAs = 'safe' | 'unsafe';

export interface PredictOptions {
  /** Guard calls in flight (8). */
  concurrency?: number;
  controversialAs?: ControversialAs;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

function harmful(verdict: GuardVerdict, controversialAs: ControversialAs): 0 | 1 {
  if (verdict.safety === 'controversial') return controversialAs === 'unsafe' ? 1 : 0;
  return verdict.safety === 'unsafe' ? 1 : 0;
}

/**
 * Asks `guard` about every example through the `Guard` interface, so an in-process guard and one served over
 * HTTP are measured the same way: `prompt` rows by prompt moderation, `response` and `refusal` rows by response
 * moderation (one call per prompt/response pair, shared by both labels). A reply that breaks the protocol gives
 * null (scored as wrong); a failed call throws.
 */
export async function predictExamples(
  guard: Guard,
  rows: readonly GuardExample[],
  options: PredictOptions = {},
): Promise<(0 | 1 | null)[]> {
  const limit = pLimit(options.concurrency ?? 8);
  const controversialAs = options.controversialAs ?? 'safe';
  const responses = new Map<string, Promise<GuardVerdict | null>>();
  const orNull = (call: Promise<GuardVerdict>) =>
    call.catch((e: unknown) => {
      if (GuardParseError.isInstance(e)) return null;
      throw e;
    });
  let done = 0;
  return Promise.all(
    rows.map(async (row) => {
      let out: 0 | 1 | null;
      if (row.task === 'prompt') {
        const v = await limit(() => orNull(guard.moderatePrompt(row.text, { signal: options.signal })));
        out = v === null ? null : harmful(v, controversialAs);
      } else {
        const key = `${row.prompt ?? ''}\u0000${row.text}`;
        let call = responses.get(key);
        if (call === undefined) {
          call = limit(() => orNull(guard.moderateResponse(row.prompt ?? '', row.text, { signal: options.signal })));
          responses.set(key, call);
        }
        const v = await call;
        if (v === null) out = null;
        else if (row.task === 'response') out = harmful(v, controversialAs);
        else out = v.refusal === undefined ? null : v.refusal === 'yes' ? 1 : 0;
      }
      done += 1;
      options.onProgress?.(done, rows.length);
      return out;
    }),
  );
}
