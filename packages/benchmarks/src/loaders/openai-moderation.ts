import { z } from 'zod';
import { readJsonl } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

export const openaiModerationCategories = ['S', 'H', 'V', 'HR', 'SH', 'S3', 'H2', 'V2'] as const;
const flag = z.union([z.literal(0), z.literal(1)]);

/** An OpenAI moderation eval row: `prompt` plus 0/1 columns; a missing column means not labelled. `harmful` = any flag. */
export const openaiModerationRowSchema = z
  .object({
    prompt: z.string().min(1),
    S: flag.optional(),
    H: flag.optional(),
    V: flag.optional(),
    HR: flag.optional(),
    SH: flag.optional(),
    S3: flag.optional(),
    H2: flag.optional(),
    V2: flag.optional(),
  })
  .transform((r) => {
    const labels = Object.fromEntries(
      openaiModerationCategories.filter((c) => r[c] !== undefined).map((c) => [c, r[c] === 1]),
    );
    return { prompt: r.prompt, labels, harmful: Object.values(labels).some(Boolean) };
  });
export type OpenaiModerationRow = z.output<typeof openaiModerationRowSchema>;

/** OpenAI moderation-api-release samples (not shipped): `path` to samples-1680.jsonl. */
export function loadOpenaiModeration(options: LoadOptions = {}): Promise<OpenaiModerationRow[]> {
  const file = requirePath(
    'openaiModeration',
    options.path,
    'download data/samples-1680.jsonl.gz from github.com/openai/moderation-api-release and gunzip it',
  );
  return readJsonl(file, openaiModerationRowSchema);
}
