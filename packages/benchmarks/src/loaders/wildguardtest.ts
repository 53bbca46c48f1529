import { z } from 'zod';
import { readCsv } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

const emptyToNull = <T extends readonly [string, ...string[]]>(values: T) =>
  z.union([z.literal(''), z.enum(values)]).transform((v) => (v === '' ? null : v));
const optionalNumber = z.string().transform((v, ctx) => {
  if (v.trim() === '') return null;
  const n = Number(v);
  if (Number.isNaN(n)) {
    ctx.addIssue({ code: 'custom', message: `not a number: ${v}` });
    return z.NEVER;
  }
  return n;
});

/** One WildGuardTest row; empty labels become null, `adversarial` True/False becomes a boolean. */
export const wildguardtestRowSchema = z
  .object({
    prompt: z.string().min(1),
    response: z.string(),
    adversarial: z.enum(['True', 'False']),
    prompt_harm_label: emptyToNull(['harmful', 'unharmful'] as const),
    response_refusal_agreement: optionalNumber,
    response_refusal_label: emptyToNull(['refusal', 'compliance'] as const),
    response_harm_label: emptyToNull(['harmful', 'unharmful'] as const),
    subcategory: z.string(),
    prompt_harm_agreement: optionalNumber,
    response_harm_agreement: optionalNumber,
  })
  .transform((r) => ({
    prompt: r.prompt,
    response: r.response,
    adversarial: r.adversarial === 'True',
    promptHarmLabel: r.prompt_harm_label,
    responseRefusalLabel: r.response_refusal_label,
    responseHarmLabel: r.response_harm_label,
    subcategory: r.subcategory,
    promptHarmAgreement: r.prompt_harm_agreement,
    responseRefusalAgreement: r.response_refusal_agreement,
    responseHarmAgreement: r.response_harm_agreement,
  }));
export type WildguardtestRow = z.output<typeof wildguardtestRowSchema>;

/** WildGuardTest (1,725 rows, ODC-BY, gated on HF): not shipped, `path` is required. */
export function loadWildguardtest(options: LoadOptions = {}): Promise<WildguardtestRow[]> {
  const file = requirePath(
    'wildguardtest',
    options.path,
    'accept the terms of HF allenai/wildguardmix, export the wildguardtest split to CSV with its 10 columns',
  );
  return readCsv(file, wildguardtestRowSchema, { columns: true });
}
