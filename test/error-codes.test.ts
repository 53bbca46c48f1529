// One casing rule for every MAGIC error code (@magic/core's ERROR_CODE_PATTERN: UPPER_SNAKE_CASE). Reads the
// sources, so a new error class with a code in another casing fails here, not in a user's `switch (e.code)`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODE_PATTERN } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './pack-helpers.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.ts') && !d.name.endsWith('.test.ts') && !d.name.endsWith('.d.ts'))
    .map((d) => join(d.parentPath, d.name));
}

/** The codes error classes pass to their base (`super('CODE', ...)`) or compare with (`hasMagicErrorCode(e, 'CODE')`). */
function errorCodes(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const codes: string[] = [];
  const classes = [...text.matchAll(/class \w+ extends (\w*Error)\b/g)];
  for (const [i, m] of classes.entries()) {
    const body = text.slice(m.index, classes[i + 1]?.index ?? text.length);
    const first = body.match(/super\(\s*'([^']*)'/);
    if (first?.[1] !== undefined) codes.push(first[1]);
    for (const c of body.matchAll(/super\(init, '([^']*)'\)/g)) codes.push(c[1] as string);
  }
  for (const c of text.matchAll(/hasMagicErrorCode\(\w+, '([^']*)'\)/g)) codes.push(c[1] as string);
  for (const c of text.matchAll(/code = '([^']*)'/g)) codes.push(c[1] as string);
  return codes;
}

describe('error codes', () => {
  const roots = ['packages', 'apps'].flatMap((top) =>
    readdirSync(join(repoRoot, top)).map((name) => join(repoRoot, top, name, 'src')),
  );
  const found = roots.flatMap((root) => {
    try {
      return sourceFiles(root).flatMap((file) => errorCodes(file).map((code) => ({ file, code })));
    } catch {
      return []; // a folder without src/
    }
  });

  it('finds the codes of every package (the scan itself works)', () => {
    const codes = new Set(found.map((f) => f.code));
    for (const known of ['GRPO_INPUT', 'LM_CONFIG', 'OPENAI_CALL_FAILED', 'JUDGE_CALL_FAILED', 'GUARD_PARSE_ERROR']) {
      expect(codes.has(known), known).toBe(true);
    }
    expect(found.length).toBeGreaterThan(30);
  });

  it('every code is UPPER_SNAKE_CASE', () => {
    const bad = found.filter((f) => !ERROR_CODE_PATTERN.test(f.code)).map((f) => `${f.file}: ${f.code}`);
    expect(bad).toEqual([]);
  });
});
