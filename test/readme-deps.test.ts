// The README's dependency graph is the workspace's: every arrow is a `dependencies` entry of that package.json and
// every @magic/* dependency has its arrow (issue 20, "Done when": the diagram includes core and stays true).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './pack-helpers.js';

/** "a -> b" for every @magic dependency of packages/* and apps/* (apps as apps/<dir>). */
function manifestEdges(): string[] {
  const manifests: { label: string; name: string; deps: string[] }[] = [];
  for (const kind of ['packages', 'apps']) {
    for (const dir of readdirSync(join(repoRoot, kind))) {
      const file = join(repoRoot, kind, dir, 'package.json');
      if (!existsSync(file)) continue;
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name: string; dependencies?: Record<string, string> };
      const label = kind === 'apps' ? `apps/${dir}` : dir;
      manifests.push({ label, name: json.name, deps: Object.keys(json.dependencies ?? {}) });
    }
  }
  // an app another package depends on (e.g. @magic/eval-app) is drawn under its folder's label
  const labelOf = new Map(manifests.map((m) => [m.name, m.label]));
  return manifests
    .flatMap((m) =>
      m.deps.filter((d) => d.startsWith('@magic/')).map((d) => `${m.label} -> ${labelOf.get(d) ?? d.slice(7)}`),
    )
    .sort();
}

/** The arrows of the README's mermaid graph, with node ids mapped to their labels (`id[label]`, else the id). */
function readmeEdges(): string[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const block = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const labels = new Map<string, string>();
  const name = (token: string) => {
    const m = /^(\w+)(?:\[([^\]]+)\])?$/.exec(token.trim());
    if (!m) throw new Error(`README graph: cannot read node '${token}'`);
    if (m[2]) labels.set(m[1] as string, m[2]);
    return m[1] as string;
  };
  const raw: [string, string][] = [];
  for (const line of block.split('\n')) {
    if (!line.includes('-->')) continue;
    const [from, to] = line.split('-->') as [string, string];
    const src = name(from);
    for (const t of to.split('&')) raw.push([src, name(t)]);
  }
  return raw.map(([a, b]) => `${labels.get(a) ?? a} -> ${labels.get(b) ?? b}`).sort();
}

it("the README's dependency graph is the package.json dependencies, core included", () => {
  const fromReadme = readmeEdges();
  expect(fromReadme).toContain('grpo -> core');
  expect(fromReadme).toEqual(manifestEdges());
});
