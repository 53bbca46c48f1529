import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { BenchmarkFileError } from './errors.js';
import type { ChatMessage, GenerationParams } from './types.js';

const cacheLineSchema = z.object({ key: z.string().length(64), text: z.string() });

/** sha256 of target id + chat + generation params: the identity of one generation. */
export function generationKey(targetId: string, chat: readonly ChatMessage[], params: GenerationParams): string {
  const canonical = JSON.stringify([
    targetId,
    chat.map((m) => [m.role, m.content]),
    [params.temperature, params.maxTokens, params.topP],
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Generation cache: a JSONL file of {key, text}, read once at open and appended to as texts arrive,
 * so a rerun or a resumed run never regenerates what exists. Without a file it lives in memory.
 */
export class GenerationCache {
  private readonly entries = new Map<string, string>();
  private writes: Promise<void> = Promise.resolve();

  private constructor(readonly file: string | undefined) {}

  static inMemory(): GenerationCache {
    return new GenerationCache(undefined);
  }

  /** Opens (or creates on first write) a JSONL cache; a corrupt line is a typed error naming file and line. */
  static async open(file: string): Promise<GenerationCache> {
    const cache = new GenerationCache(file);
    if (!existsSync(file)) return cache;
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new BenchmarkFileError({ file, line: i + 1, reason: 'cache line is not JSON', cause: e });
      }
      const parsed = cacheLineSchema.safeParse(value);
      if (!parsed.success) throw new BenchmarkFileError({ file, line: i + 1, reason: 'cache line is not {key, text}' });
      cache.entries.set(parsed.data.key, parsed.data.text);
    });
    return cache;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  /** Stores a text; with a file, the line is appended (writes are serialised). */
  set(key: string, text: string): Promise<void> {
    this.entries.set(key, text);
    const file = this.file;
    if (file === undefined) return Promise.resolve();
    this.writes = this.writes.then(async () => {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify({ key, text })}\n`);
    });
    return this.writes;
  }

  /** Resolves when every pending append has been written. */
  flush(): Promise<void> {
    return this.writes;
  }
}
