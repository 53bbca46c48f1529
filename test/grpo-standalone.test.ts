// @magic/grpo installs and works on its own: build, `npm pack`, install its tarball and @magic/core's (its one
// @magic dependency: contracts only, no tfjs) into an empty project with only tfjs-core + the CPU backend, and run
// the README examples of both there with plain node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
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

function readmeExample(dir: string = pkgDir): string {
  const readme = readFileSync(join(dir, 'README.md'), 'utf8');
  const section = readme.split('## Example')[1];
  const code = section?.match(/```js\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('README.md has no ```js block under "## Example"');
  return code;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('@magic/grpo standalone', () => {
  it('packs, installs into an empty project and runs the README example', () => {
    // core is built first: grpo's declaration build resolves core's types from its dist
    const core = buildAndPack('core', work);
    const tarball = buildAndPack('grpo', work);
    const project = installIntoEmptyProject(work, [
      core,
      tarball,
      `@tensorflow/tfjs-core@${localVersion('@tensorflow/tfjs-core')}`,
      `@tensorflow/tfjs-backend-cpu@${localVersion('@tensorflow/tfjs-backend-cpu')}`,
    ]);
    expect(installedMagicPackages(project)).toEqual(['core', 'grpo']); // no other @magic package came along
    writeFileSync(join(project, 'example.mjs'), readmeExample());
    const out = execFileSync('node', ['example.mjs'], { cwd: project, encoding: 'utf8' });
    const rewards = [...out.matchAll(/^step (\d+) reward (\d\.\d\d)$/gm)].map((m) => Number(m[2]));
    expect(rewards).toHaveLength(4);
    const first = at(rewards, 0, 'first reward');
    expect(first).toBeLessThan(0.4);
    expect(defined(rewards.at(-1), 'last reward')).toBeGreaterThan(first + 0.4);

    // one MagicError class in the install: grpo's errors are instances of the core the user imports
    writeFileSync(
      join(project, 'errors.mjs'),
      `import { MagicError } from '@magic/core';
import { computeGrpoOutcomeAdvantage, GrpoInputError } from '@magic/grpo';
try { computeGrpoOutcomeAdvantage([1, Number.NaN], ['a', 'a']); } catch (e) {
  console.log(JSON.stringify({ core: e instanceof MagicError, grpo: e instanceof GrpoInputError, code: e.code }));
}`,
    );
    const thrown = JSON.parse(execFileSync('node', ['errors.mjs'], { cwd: project, encoding: 'utf8' }));
    expect(thrown).toEqual({ core: true, grpo: true, code: 'GRPO_INPUT' });
    // grpo's dist imports core instead of carrying a copy of it
    const dist = readFileSync(join(project, 'node_modules', '@magic', 'grpo', 'dist', 'index.js'), 'utf8');
    expect(dist).toMatch(/from "@magic\/core"/);
    expect(dist).not.toContain('0x6d2b79f5');

    writeFileSync(join(project, 'core-example.mjs'), readmeExample(join(repoRoot, 'packages', 'core')));
    const coreOut = execFileSync('node', ['core-example.mjs'], { cwd: project, encoding: 'utf8' });
    const printed = readFileSync(join(repoRoot, 'packages', 'core', 'README.md'), 'utf8')
      .split('## Example')[1]
      ?.match(/prints\n\n```\n([\s\S]*?)```/)?.[1];
    expect(coreOut).toBe(printed);
  });
});
