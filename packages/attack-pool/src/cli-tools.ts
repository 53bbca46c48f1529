import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { at } from '@magic/core';
import { OpenAICompatibleClient } from '@magic/openai-client';
import pLimit from 'p-limit';
import { z } from 'zod';
import { AttackPoolConfigError } from './errors.js';
import { toAlpacaJson, toChatJsonl } from './exports.js';
import { loadAttackPool } from './pool.js';
import { readAttackRecords } from './pool-file.js';
import { splitSchema } from './schemas.js';
import { TaxonomyClassifier } from './taxonomy.js';

export const TOOLS_USAGE = `magic-attack-pool export --format alpaca|chat --out <file> [--split train|val|test] [--in <records.jsonl[.gz]>]
  (default input: the shipped pool)
magic-attack-pool classify --in <records.jsonl[.gz]> --out <labels.jsonl> --endpoint <baseURL> --model <name>
  [--api-key-env VAR] [--concurrency N] [--limit N]`;

function fail(issues: z.core.$ZodIssue[]): never {
  const issue = at(issues, 0, 'issues');
  throw new AttackPoolConfigError(issue.path.join('.') || 'args', issue.message);
}

const exportSchema = z.object({
  format: z.enum(['alpaca', 'chat']),
  out: z.string().min(1),
  split: splitSchema.optional(),
  in: z.string().optional(),
});

/** `export`: the shipped (or a built) pool as a LLaMA-Factory alpaca JSON or a chat JSONL file. */
export function runExport(argv: string[]): string {
  const { values } = parseArgs({
    args: argv,
    options: { format: { type: 'string' }, out: { type: 'string' }, split: { type: 'string' }, in: { type: 'string' } },
  });
  const parsed = exportSchema.safeParse(values);
  if (!parsed.success) fail(parsed.error.issues);
  const o = parsed.data;
  const records = o.in ? readAttackRecords(o.in) : loadAttackPool(o.split ? { split: o.split } : {});
  writeFileSync(o.out, o.format === 'alpaca' ? toAlpacaJson(records) : toChatJsonl(records));
  return `wrote ${records.length} ${o.format} examples to ${o.out}`;
}

const classifySchema = z.object({
  in: z.string().min(1),
  out: z.string().min(1),
  endpoint: z.url(),
  model: z.string().min(1),
  apiKeyEnv: z.string().default('MAGIC_ATTACK_POOL_API_KEY'),
  concurrency: z.coerce.number().int().positive().default(4),
  limit: z.coerce.number().int().positive().optional(),
});

/** `classify`: labels each record's rewrite with MAGIC's 20-class taxonomy; failures are written as errors. */
export async function runClassify(
  argv: string[],
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<{ message: string; failed: number }> {
  const { values } = parseArgs({
    args: argv,
    options: {
      in: { type: 'string' },
      out: { type: 'string' },
      endpoint: { type: 'string' },
      model: { type: 'string' },
      'api-key-env': { type: 'string' },
      concurrency: { type: 'string' },
      limit: { type: 'string' },
    },
  });
  const parsed = classifySchema.safeParse({ ...values, apiKeyEnv: values['api-key-env'] });
  if (!parsed.success) fail(parsed.error.issues);
  const o = parsed.data;
  const apiKey = env[o.apiKeyEnv];
  const client = new OpenAICompatibleClient({
    baseURL: o.endpoint,
    concurrency: o.concurrency,
    ...(apiKey ? { apiKey } : {}),
  });
  const classifier = new TaxonomyClassifier({ client, model: o.model });
  const records = readAttackRecords(o.in).slice(0, o.limit);
  const limit = pLimit(o.concurrency);
  let failed = 0;
  const lines = await Promise.all(
    records.map((r) =>
      limit(async () => {
        try {
          const label = await classifier.classify(
            { question: r.vanilla, think: r.think, answer: r.adversarial },
            signal ? { signal } : {},
          );
          return JSON.stringify({ id: r.id, strategy: r.strategy, label });
        } catch (e) {
          failed++;
          return JSON.stringify({ id: r.id, strategy: r.strategy, error: (e as Error).message });
        }
      }),
    ),
  );
  writeFileSync(o.out, lines.join('\n') + (lines.length ? '\n' : ''));
  return { message: `classified ${records.length - failed}/${records.length} records into ${o.out}`, failed };
}
