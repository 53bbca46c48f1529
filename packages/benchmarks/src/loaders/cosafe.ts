import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { readJsonl } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

const messageSchema = z.object({ role: z.enum(['system', 'user', 'assistant']), content: z.string() });

/**
 * A CoSafe dialogue line: a JSON list of chat messages with at least one user turn. A few upstream
 * lines end with an assistant turn; replay cuts a dialogue after its last user turn.
 */
export const cosafeDialogueSchema = z
  .array(messageSchema)
  .min(1)
  .refine((m) => m.some((x) => x.role === 'user'), { message: 'a dialogue needs at least one user turn' });

export interface CosafeDialogue {
  id: string;
  category: string;
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
}

/** CoSafe multi-turn dialogues (no licence upstream: not shipped). `path`: one `.json` (JSONL) file or the multi_turn/ folder. */
export async function loadCosafe(options: LoadOptions = {}): Promise<CosafeDialogue[]> {
  const path = requirePath(
    'cosafe',
    options.path,
    'clone github.com/ErxinYu/CoSafe-Dataset and pass its "CoSafe datasets" folder',
  );
  const files =
    path.endsWith('.json') || path.endsWith('.jsonl')
      ? [path]
      : (await readdir(path))
          .filter((n) => n.endsWith('.json'))
          .sort()
          .map((n) => join(path, n));
  const dialogues: CosafeDialogue[] = [];
  for (const file of files) {
    const category = basename(file).replace(/\.jsonl?$/, '');
    const rows = await readJsonl(file, cosafeDialogueSchema);
    for (const [i, messages] of rows.entries()) dialogues.push({ id: `${category}/${i}`, category, messages });
  }
  return dialogues;
}
