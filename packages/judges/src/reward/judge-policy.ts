import { JudgeFailureError } from '../errors.js';
import type { Guard, GuardCallOptions, GuardVerdict } from '../types.js';
import { isJudgeFailure, type JudgeFailure } from './compute.js';
import type { JudgeFailurePolicy } from './config.js';

export interface JudgePolicyContext {
  policy: JudgeFailurePolicy;
  /** Names the judge in errors (an endpoint URL, or the guard's name). */
  endpoint: string;
  /** Which verdict this call gives (`q`, `qa`, …), for the error. */
  field: string;
  signal?: AbortSignal;
}

/**
 * One judge call under `onJudgeFailure`, shared by the rollout's early-stop check, reward scoring and validation:
 * a failed call or unparsable reply becomes a JudgeFailure for the caller to skip, zero or treat as safe, or, under
 * `error`, a JudgeFailureError naming the endpoint. An abort is rethrown as is.
 */
export async function judgeWithPolicy<T = GuardVerdict>(
  call: () => Promise<T>,
  ctx: JudgePolicyContext,
): Promise<T | JudgeFailure> {
  try {
    return await call();
  } catch (error) {
    ctx.signal?.throwIfAborted();
    if (ctx.policy === 'error') throw new JudgeFailureError(ctx.field, error, ctx.endpoint);
    return { failed: true, error };
  }
}

/**
 * The guard as seen by callers that record thrown errors themselves (the rollout's early-stop check): under `error`
 * a failure throws JudgeFailureError naming the endpoint; under the other policies the original error is rethrown.
 */
export function guardUnderPolicy(guard: Guard, policy: JudgeFailurePolicy, endpoint: string = guard.name): Guard {
  const unwrap = (v: GuardVerdict | JudgeFailure): GuardVerdict => {
    if (isJudgeFailure(v)) throw v.error;
    return v;
  };
  return {
    name: guard.name,
    moderatePrompt: async (prompt: string, options: GuardCallOptions = {}) =>
      unwrap(
        await judgeWithPolicy(() => guard.moderatePrompt(prompt, options), {
          policy,
          endpoint,
          field: 'q',
          signal: options.signal,
        }),
      ),
    moderateResponse: async (prompt: string, response: string, options: GuardCallOptions = {}) =>
      unwrap(
        await judgeWithPolicy(() => guard.moderateResponse(prompt, response, options), {
          policy,
          endpoint,
          field: 'qa',
          signal: options.signal,
        }),
      ),
  };
}
