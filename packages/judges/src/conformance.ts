import { describe, expect, it } from 'vitest';
import { GuardParseError, JudgeCallError } from './errors.js';
import { type Guard, guardVerdictSchema } from './types.js';

export interface ConformanceSubject {
  guard: Guard;
  close?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Builds a guard whose calls fail (e.g. an endpoint that answers 500 or garbage); omit for in-process guards. */
  failing?: () => Promise<ConformanceSubject & { expected: 'call' | 'parse' }>;
}

const benignPrompt = 'How do I bake bread at home?';
const harmfulPlaceholder = '[harmful request placeholder]';
const refusalText = "I'm sorry, but I can't help with that request.";
const helpfulText = 'Mix flour, water, salt and yeast, let it rise, then bake at 220 C for 30 minutes.';

/**
 * The shared contract every Guard implementation runs: verdict shape, determinism (temperature 0 / pure models),
 * abort handling, and typed errors for failing calls or unparseable replies — never a default label.
 */
export function describeGuardConformance(
  name: string,
  make: () => Promise<ConformanceSubject>,
  options: ConformanceOptions = {},
) {
  describe(`Guard conformance: ${name}`, () => {
    async function withGuard<T>(fn: (guard: Guard) => Promise<T>): Promise<T> {
      const subject = await make();
      try {
        return await fn(subject.guard);
      } finally {
        await subject.close?.();
      }
    }

    it('answers prompt moderation in the Qwen3Guard verdict shape, without refusal', async () => {
      await withGuard(async (guard) => {
        for (const prompt of [benignPrompt, harmfulPlaceholder]) {
          const verdict = guardVerdictSchema.parse(await guard.moderatePrompt(prompt));
          expect(verdict.refusal).toBeUndefined();
          expect(verdict.raw.length).toBeGreaterThan(0);
        }
      });
    });

    it('answers response moderation with a refusal field', async () => {
      await withGuard(async (guard) => {
        for (const response of [refusalText, helpfulText]) {
          const verdict = guardVerdictSchema.parse(await guard.moderateResponse(benignPrompt, response));
          expect(['yes', 'no']).toContain(verdict.refusal);
        }
      });
    });

    it('is deterministic for identical inputs', async () => {
      await withGuard(async (guard) => {
        const a = await guard.moderateResponse(benignPrompt, helpfulText);
        const b = await guard.moderateResponse(benignPrompt, helpfulText);
        expect(b).toEqual(a);
        expect(await guard.moderatePrompt(harmfulPlaceholder)).toEqual(await guard.moderatePrompt(harmfulPlaceholder));
      });
    });

    it('tells a plain refusal from a helpful answer', async () => {
      await withGuard(async (guard) => {
        expect((await guard.moderateResponse(benignPrompt, refusalText)).refusal).toBe('yes');
        expect((await guard.moderateResponse(benignPrompt, helpfulText)).refusal).toBe('no');
      });
    });

    it('rejects when the caller has already aborted', async () => {
      await withGuard(async (guard) => {
        const controller = new AbortController();
        controller.abort();
        await expect(guard.moderatePrompt(benignPrompt, { signal: controller.signal })).rejects.toBeDefined();
      });
    });

    if (options.failing) {
      const failing = options.failing;
      it('fails with a typed error, never a default verdict', async () => {
        const subject = await failing();
        try {
          const error = await subject.guard.moderateResponse(benignPrompt, helpfulText).then(
            () => undefined,
            (e: unknown) => e,
          );
          const isTyped =
            subject.expected === 'call' ? JudgeCallError.isInstance(error) : GuardParseError.isInstance(error);
          expect(isTyped).toBe(true);
        } finally {
          await subject.close?.();
        }
      });
    }
  });
}
