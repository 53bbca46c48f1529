import { z } from 'zod';
import { strategyFamilies, strategyIds } from './strategies.js';

export const dataTypes = ['vanilla_harmful', 'vanilla_benign'] as const;
export const dataTypeSchema = z.enum(dataTypes);
export type DataType = z.output<typeof dataTypeSchema>;

/** A seed request from a public dataset (or a user file). */
export const seedRecordSchema = z.object({
  id: z.string().min(1),
  text: z.string().min(1),
  dataType: dataTypeSchema,
  category: z.string().default('uncategorized'),
  /** Dataset name, e.g. `harmbench`, `advbench`, `jbb-benign`. */
  source: z.string().min(1),
  /** Extra upstream fields kept for provenance (BehaviorID, prompt_style, ...). */
  meta: z.record(z.string(), z.string()).default({}),
});
export type SeedRecord = z.output<typeof seedRecordSchema>;
export type SeedRecordInput = z.input<typeof seedRecordSchema>;

export const generators = ['template', 'llm', 'transform'] as const;
export const generatorSchema = z.enum(generators);
export type Generator = z.output<typeof generatorSchema>;

export const misspellEditSchema = z.object({
  wordIndex: z.number().int().nonnegative(),
  original: z.string(),
  misspelled: z.string(),
});

/** What is needed to reproduce or invert a record: the rewriter, model, transform parameters. */
export const provenanceSchema = z.object({
  seedSource: z.string(),
  seedId: z.string(),
  rewriter: z.enum(['template', 'llm']),
  model: z.string().optional(),
  thinkGenerator: z.enum(['template', 'llm']),
  thinkModel: z.string().optional(),
  transform: z
    .discriminatedUnion('name', [
      z.object({ name: z.literal('ascii') }),
      z.object({ name: z.literal('caesar'), shift: z.number().int() }),
      z.object({ name: z.literal('morse') }),
      z.object({ name: z.literal('atbash') }),
      z.object({ name: z.literal('misspellings'), seed: z.number().int(), edits: z.array(misspellEditSchema) }),
    ])
    .optional(),
  /** The exact transformed text (before any wrapper), so decoders can be applied to it. */
  encoded: z.string().optional(),
  builtWith: z.string(),
});
export type Provenance = z.output<typeof provenanceSchema>;

/** One attack-pool record: a seed rewritten by one strategy, with its first-person rationale. */
export const attackRecordSchema = z.object({
  id: z.string().min(1),
  seedId: z.string().min(1),
  strategy: z.enum(strategyIds),
  family: z.enum(strategyFamilies),
  vanilla: z.string().min(1),
  adversarial: z.string().min(1),
  think: z.string().min(1),
  dataType: dataTypeSchema,
  category: z.string(),
  /** Who wrote `adversarial`: the template rewriter, an LLM, or an exact transform (encodings, misspellings). */
  generator: generatorSchema,
  provenance: provenanceSchema,
});
export type AttackRecord = z.output<typeof attackRecordSchema>;

export const splitNames = ['train', 'val', 'test'] as const;
export const splitSchema = z.enum(splitNames);
export type Split = z.output<typeof splitSchema>;

/** LLaMA-Factory alpaca row (`instruction, input, output, system` columns, spec §6). */
export const alpacaRowSchema = z.object({
  instruction: z.string().min(1),
  input: z.string(),
  output: z.string().min(1),
  system: z.string(),
});
export type AlpacaRow = z.output<typeof alpacaRowSchema>;

/** One chat-message JSONL line (`{ messages: [...] }`), as TRL / LLaMA-Factory sharegpt-openai style. */
export const chatExampleSchema = z.object({
  messages: z.array(z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() })).min(2),
  id: z.string().optional(),
});
export type ChatExample = z.output<typeof chatExampleSchema>;
