// docs/contracts.md names the public surface of each package instead of copying signatures (issue 20 §7: the
// copies had drifted). This keeps the names honest: every `name` a package's section lists is exported by that
// package's entry points, and every `Name.member` is a member its sources define.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './pack-helpers.js';

/** Names exported by a module file, following `export * from` and re-exports. */
function exportedNames(file: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file) || !existsSync(file)) return names;
  seen.add(file);
  const text = readFileSync(file, 'utf8');
  const target = (spec: string) => resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
  for (const m of text.matchAll(/export\s*\*\s*from\s*'([^']+)'/g)) {
    for (const n of exportedNames(target(m[1] as string), seen)) names.add(n);
  }
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of (m[1] as string).split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.add(name);
    }
  }
  const decl =
    /export\s+(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?|class|const|let|interface|type|enum)\s+([\w$]+)/g;
  for (const m of text.matchAll(decl)) names.add(m[1] as string);
  return names;
}

/** Every entry point a package's package.json exports (`.` and subpaths), as source files. */
function packageExports(pkg: string): Set<string> {
  const dir = join(repoRoot, 'packages', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const names = new Set<string>();
  for (const sub of Object.keys(manifest.exports)) {
    if (sub === './package.json') continue;
    const src = join(dir, 'src', sub === '.' ? 'index.ts' : `${sub.slice(2)}.ts`);
    expect(existsSync(src), `${pkg}: entry ${sub} has no source ${src}`).toBe(true);
    for (const n of exportedNames(src)) names.add(n);
  }
  return names;
}

function sourceText(pkg: string): string {
  const src = join(repoRoot, 'packages', pkg, 'src');
  return (readdirSync(src, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => readFileSync(join(src, f), 'utf8'))
    .join('\n');
}

const doc = readFileSync(join(repoRoot, 'docs', 'contracts.md'), 'utf8');
const sections = [...doc.matchAll(/^## @magic\/([\w-]+)[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/gm)].map((m) => ({
  pkg: m[1] as string,
  body: m[2] as string,
}));

describe('docs/contracts.md', () => {
  it('has a section for every published package and no copied signatures', () => {
    const published = readdirSync(join(repoRoot, 'packages')).filter((p) =>
      existsSync(join(repoRoot, 'packages', p, 'package.json')),
    );
    expect(sections.map((s) => s.pkg).sort()).toEqual(published.sort());
    expect(doc).not.toMatch(/```ts/);
  });

  it.each(sections)('every name in the @magic/$pkg section is exported, every member defined', ({ pkg, body }) => {
    const exported = packageExports(pkg);
    const text = sourceText(pkg);
    const listed = [...body.matchAll(/`([A-Za-z_$][\w$]*)(?:\.([\w$]+))?(?:\(\))?`/g)];
    const missing: string[] = [];
    for (const [, name, member] of listed) {
      if (!exported.has(name as string)) missing.push(name as string);
      else if (member && !new RegExp(`\\b${member}\\b`).test(text)) missing.push(`${name}.${member}`);
    }
    expect(listed.length).toBeGreaterThan(3);
    expect(missing).toEqual([]);
  });
});
