// @magic/attack-pool installs on its own: packed, then installed into an empty project together with nothing but
// the tarballs of its own @magic/* dependencies (@magic/core, the shared contracts, and @magic/openai-client,
// published for the LLM rewriter). The shipped pool loads there with plain node, and the bin runs from the built dist/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildAndPack, installedMagicPackages, installIntoEmptyProject } from './pack-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'attack-pool-standalone-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const LOAD = `import { loadAttackPool, strategyIds, checkAttackerFormat, attackerOutput } from '@magic/attack-pool';
const pool = loadAttackPool();
const train = loadAttackPool({ split: 'train' });
const strategies = new Set(pool.map((r) => r.strategy));
console.log(JSON.stringify({
  records: pool.length,
  train: train.length,
  strategies: strategies.size,
  known: [...strategies].every((s) => strategyIds.includes(s)),
  formatOk: checkAttackerFormat(attackerOutput(train[0])).ok,
}));
`;

describe('@magic/attack-pool standalone', () => {
  it('installs from its tarball plus its @magic dependencies only, loads the pool and runs its bin', () => {
    // the dependencies are built first: attack-pool's declaration build resolves their types from dist
    const core = buildAndPack('core', work);
    const client = buildAndPack('openai-client', work);
    const pool = buildAndPack('attack-pool', work);
    const project = installIntoEmptyProject(work, [pool, client, core]);
    expect(installedMagicPackages(project)).toEqual(['attack-pool', 'core', 'openai-client']);

    writeFileSync(join(project, 'load.mjs'), LOAD);
    const loaded = JSON.parse(execFileSync('node', ['load.mjs'], { cwd: project, encoding: 'utf8' })) as {
      records: number;
      train: number;
      strategies: number;
      known: boolean;
      formatOk: boolean;
    };
    expect(loaded.records).toBeGreaterThan(0);
    expect(loaded.train).toBeGreaterThan(0);
    expect(loaded.train).toBeLessThan(loaded.records);
    expect(loaded.strategies).toBe(20);
    expect(loaded.known).toBe(true);
    expect(loaded.formatOk).toBe(true);

    // the published launcher has no src/ next to it, so it must run dist/ (and never reach the registry)
    const help = execFileSync('npx', ['--no-install', 'magic-attack-pool', '--help'], {
      cwd: project,
      encoding: 'utf8',
    });
    expect(help).toContain('magic-attack-pool build');
  });
});
