// Libraries take options; only entry files (cli.ts and the like) read the environment (issue 20 §4).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './pack-helpers.js';

/** Entry files that may map environment variables to options. */
const ENTRY = /(^|\/)(cli|[\w-]+-cli)\.ts$/;
/**
 * The one documented exception: the native libraries under Dawn (dynamic loader, Vulkan ICD, Mesa EGL) are
 * configured only through the environment, and @magic/tensor does that in this one file.
 */
const NATIVE_ENV = ['packages/tensor/src/backend/native-env.ts'];

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('environment lookups', () => {
  it('no library source under packages/*/src reads or writes process.env', () => {
    const offenders: string[] = [];
    let scanned = 0;
    for (const pkg of readdirSync(join(repoRoot, 'packages'))) {
      const src = join(repoRoot, 'packages', pkg, 'src');
      let entries: string[];
      try {
        entries = readdirSync(src, { recursive: true }) as string[];
      } catch {
        continue;
      }
      for (const entry of entries) {
        const rel = relative(repoRoot, join(src, entry));
        if (!rel.endsWith('.ts') || rel.endsWith('.test.ts') || ENTRY.test(rel)) continue;
        if (NATIVE_ENV.includes(rel)) continue;
        scanned++;
        if (/\bprocess\.env\b/.test(withoutComments(readFileSync(join(repoRoot, rel), 'utf8')))) offenders.push(rel);
      }
    }
    expect(scanned).toBeGreaterThan(100);
    expect(offenders).toEqual([]);
  });
});
