// @magic/grpo installs and works on its own: build, `npm pack`, install the tarball into an empty
// project with only tfjs-core + the CPU backend, and run the README example there with plain node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildAndPack,
  installedMagicPackages,
  installIntoEmptyProject,
  localVersion,
  repoRoot,
} from './pack-helpers.js';

const pkgDir = join(repoRoot, 'packages', 'grpo');
const work = mkdtempSync(join(tmpdir(), 'grpo-standalone-'));

function readmeExample(): string {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const section = readme.split('## Example')[1];
  const code = section?.match(/```js\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('README.md has no ```js block under "## Example"');
  return code;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('@magic/grpo standalone', () => {
  it('packs, installs into an empty project and runs the README example', () => {
    const tarball = buildAndPack('grpo', work);
    const project = installIntoEmptyProject(work, [
      tarball,
      `@tensorflow/tfjs-core@${localVersion('@tensorflow/tfjs-core')}`,
      `@tensorflow/tfjs-backend-cpu@${localVersion('@tensorflow/tfjs-backend-cpu')}`,
    ]);
    expect(installedMagicPackages(project)).toEqual(['grpo']); // no other @magic package came along
    writeFileSync(join(project, 'example.mjs'), readmeExample());
    const out = execFileSync('node', ['example.mjs'], { cwd: project, encoding: 'utf8' });
    const rewards = [...out.matchAll(/^step (\d+) reward (\d\.\d\d)$/gm)].map((m) => Number(m[2]));
    expect(rewards).toHaveLength(4);
    expect(rewards[0]!).toBeLessThan(0.4);
    expect(rewards.at(-1)!).toBeGreaterThan(rewards[0]! + 0.4);
  });
});
