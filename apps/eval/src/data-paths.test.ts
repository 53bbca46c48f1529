import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveDataPaths } from './data-paths.js';
import { EvalCliError } from './errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magic-data-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveDataPaths', () => {
  it('finds task ids and benchmark names in --data-dir; --path wins', () => {
    for (const f of ['wildguardtest.csv', 'or-bench-hard.csv', 'OpenAI_Moderation.jsonl', 'notes.txt']) {
      writeFileSync(join(dir, f), '');
    }
    mkdirSync(join(dir, 'cosafe'));
    const own = join(dir, 'own.csv');
    writeFileSync(own, '');
    expect(resolveDataPaths(dir, { strongreject: own, WildGuardTest: own })).toEqual({
      wildguardtest: own,
      orBenchHard: join(dir, 'or-bench-hard.csv'),
      openaiModeration: join(dir, 'OpenAI_Moderation.jsonl'),
      cosafe: join(dir, 'cosafe'),
      strongreject: own,
    });
  });

  it('names the flag for a missing folder or file', () => {
    const flag = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return EvalCliError.isInstance(e) ? e.flag : 'other';
      }
      return 'none';
    };
    expect(flag(() => resolveDataPaths(join(dir, 'nope'), {}))).toBe('--data-dir');
    expect(flag(() => resolveDataPaths(undefined, { dan: join(dir, 'nope.jsonl') }))).toBe('--path');
    expect(flag(() => resolveDataPaths(undefined, { imagenet: dir }))).toBe('--path');
  });
});
