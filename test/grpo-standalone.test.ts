// @magic/grpo installs and works on its own: build, `npm pack`, install the tarball into an empty
// project with only tfjs-core + the CPU backend, and run the README example there with plain node.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'grpo');
const work = mkdtempSync(join(tmpdir(), 'grpo-standalone-'));

function readmeExample(): string {
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  const section = readme.split('## Example')[1];
  const code = section?.match(/```js\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error('README.md has no ```js block under "## Example"');
  return code;
}

/** Version installed in the workspace, so the temp project resolves it from npm's cache. */
function localVersion(name: string): string {
  const file = resolve(pkgDir, '..', '..', 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('@magic/grpo standalone', () => {
  it('packs, installs into an empty project and runs the README example', () => {
    execFileSync('npx', ['tsup'], { cwd: pkgDir, stdio: 'pipe' });
    execFileSync('npm', ['pack', '--pack-destination', work], { cwd: pkgDir, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const project = join(work, 'project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'grpo-user', private: true, type: 'module' }));
    const core = localVersion('@tensorflow/tfjs-core');
    const cpu = localVersion('@tensorflow/tfjs-backend-cpu');
    execFileSync(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        join(work, tarball!),
        `@tensorflow/tfjs-core@${core}`,
        `@tensorflow/tfjs-backend-cpu@${cpu}`,
      ],
      { cwd: project, stdio: 'pipe' },
    );
    const installed = readdirSync(join(project, 'node_modules', '@magic'));
    expect(installed).toEqual(['grpo']); // no other @magic package came along
    writeFileSync(join(project, 'example.mjs'), readmeExample());
    const out = execFileSync('node', ['example.mjs'], { cwd: project, encoding: 'utf8' });
    const rewards = [...out.matchAll(/^step (\d+) reward (\d\.\d\d)$/gm)].map((m) => Number(m[2]));
    expect(rewards).toHaveLength(4);
    expect(rewards[0]!).toBeLessThan(0.4);
    expect(rewards.at(-1)!).toBeGreaterThan(rewards[0]! + 0.4);
  });
});
